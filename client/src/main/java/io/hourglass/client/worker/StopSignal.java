package io.hourglass.client.worker;

/**
 * Lets a thread wait (for a free slot, or through a backoff) in a way {@link #stop()} cuts short.
 *
 * <p>Why not just interrupt the thread? It may be inside an RPC: interrupting a dequeue can
 * abandon jobs the server has already claimed for us. So only the waits run under this signal,
 * and {@link #stop()} interrupts the thread only while it is inside one of them.
 */
final class StopSignal {
  /** A wait that ends early by InterruptedException. */
  interface Wait {
    void run() throws InterruptedException;
  }

  private Thread waiter;
  private boolean stopped;

  /** Runs {@code wait}; false if stopped before or during it. */
  boolean await(Wait wait) {
    synchronized (this) {
      if (stopped) {
        return false;
      }
      waiter = Thread.currentThread();
    }
    try {
      wait.run();
      return true;
    } catch (InterruptedException e) {
      return false;
    } finally {
      synchronized (this) {
        waiter = null;
        // An interrupt from stop() that landed just after the wait ended must not leak into the
        // next RPC.
        Thread.interrupted();
      }
    }
  }

  synchronized void stop() {
    stopped = true;
    if (waiter != null) {
      waiter.interrupt();
    }
  }

  synchronized boolean isStopped() {
    return stopped;
  }
}
