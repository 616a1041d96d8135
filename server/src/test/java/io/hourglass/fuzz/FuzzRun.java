package io.hourglass.fuzz;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends {@code frames} fuzz frames over {@code connections} connections at once (connection i
 * draws its frames from seed + i, so a seed replays a run) and judges every answer with the
 * {@link AnswerOracle}. A connection the server closes, or one whose framing a frame broke, is
 * replaced by a new one.
 */
final class FuzzRun {
  /** What one fuzz frame got, and the frames that got an answer the oracle rejects. */
  public record Report(long seed, long sent, Map<FuzzFrames.Kind, Long> byKind, Map<String, Long> byAnswer,
      long rejected, List<String> failures) {
    public String summary() {
      return "seed " + seed + ": " + sent + " frames " + byKind + "; answers " + byAnswer + "; "
          + rejected + " rejected";
    }
  }

  private final FuzzCampaign.Settings settings;
  private final AnswerOracle oracle;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final Map<FuzzFrames.Kind, AtomicLong> byKind = new EnumMap<>(FuzzFrames.Kind.class);
  private final Map<String, AtomicLong> byAnswer = new java.util.concurrent.ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

  FuzzRun(FuzzCampaign.Settings settings) {
    this.settings = settings;
    this.oracle = new AnswerOracle(settings.maxFrameBytes(), settings.maxStringBytes(), settings.maxContainerItems());
    for (FuzzFrames.Kind k : FuzzFrames.Kind.values()) {
      byKind.put(k, new AtomicLong());
    }
  }

  Report run() throws InterruptedException {
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < settings.connections(); i++) {
      int n = i;
      long share = settings.frames() / settings.connections() + (i < settings.frames() % settings.connections() ? 1 : 0);
      Thread t = new Thread(() -> connection(n, share), "fuzz-" + i);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    Map<FuzzFrames.Kind, Long> kinds = new EnumMap<>(FuzzFrames.Kind.class);
    byKind.forEach((k, v) -> kinds.put(k, v.get()));
    Map<String, Long> answers = new TreeMap<>();
    byAnswer.forEach((k, v) -> answers.put(k, v.get()));
    return new Report(settings.seed(), sent.get(), kinds, answers, rejected.get(), List.copyOf(failures));
  }

  private void connection(int n, long frames) {
    FuzzFrames source = new FuzzFrames(settings.seed() + n, settings.maxFrameBytes());
    Socket socket = null;
    try {
      for (long i = 0; i < frames; i++) {
        FuzzFrames.Frame frame = source.next();
        if (socket == null) {
          socket = new Socket(settings.host(), settings.port());
          socket.setSoTimeout(FuzzCampaign.ANSWER_TIMEOUT_MILLIS);
        }
        boolean open = exchange(socket, frame, "connection " + n + " frame " + i);
        sent.incrementAndGet();
        byKind.get(frame.kind()).incrementAndGet();
        if (!open) {
          socket.close();
          socket = null;
        }
      }
    } catch (IOException e) {
      reject("connection " + n + ": cannot connect: " + e, null);
    } finally {
      if (socket != null) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
    }
  }

  /** Sends one frame and judges what comes back; false once the connection is done. */
  private boolean exchange(Socket socket, FuzzFrames.Frame frame, String where) {
    AnswerOracle.Decoded decoded = frame.endsConnection()
        ? new AnswerOracle.Decoded(false, "", 0, false, false)
        : oracle.decode(frame.payload());
    DataInputStream in;
    try {
      in = new DataInputStream(socket.getInputStream());
      socket.getOutputStream().write(frame.wire());
      socket.getOutputStream().flush();
      if (frame.endsConnection()) {
        socket.shutdownOutput();
      }
    } catch (IOException e) {
      count("closed before the frame was sent");
      String why = oracle.judgeClose(decoded);
      if (why != null) {
        reject(where + ": " + why, frame);
      }
      return false;
    }
    while (true) {
      byte[] reply;
      try {
        int length = in.readInt();
        if (length < 0 || length > settings.maxFrameBytes()) {
          reject(where + ": reply frame of " + length + " bytes", frame);
          return false;
        }
        reply = new byte[length];
        in.readFully(reply);
      } catch (SocketTimeoutException e) {
        count("no answer");
        reject(where + ": no answer and no close within " + FuzzCampaign.ANSWER_TIMEOUT_MILLIS + " ms", frame);
        return false;
      } catch (EOFException | SocketException e) {
        count("closed");
        String why = oracle.judgeClose(decoded);
        if (why != null) {
          reject(where + ": " + why, frame);
        }
        return false;
      } catch (IOException e) {
        reject(where + ": " + e, frame);
        return false;
      }
      AnswerOracle.Verdict verdict = oracle.judge(decoded, reply);
      count(verdict.answer());
      if (verdict.problem() != null) {
        reject(where + ": " + verdict.problem(), frame);
        return false;
      }
      if (!frame.endsConnection()) {
        return true;
      }
      // a broken frame's honest prefix may have been answered: read on until the close
    }
  }

  private void count(String answer) {
    byAnswer.computeIfAbsent(answer, a -> new AtomicLong()).incrementAndGet();
  }

  private void reject(String what, FuzzFrames.Frame frame) {
    rejected.incrementAndGet();
    if (failures.size() < 20) {
      failures.add("seed " + settings.seed() + ", " + what
          + (frame == null ? "" : " [" + frame.kind() + ", " + frame.wire().length + " bytes: "
              + HexFormat.of().formatHex(frame.wire(), 0, Math.min(frame.wire().length, 96)) + "]"));
    }
  }
}
