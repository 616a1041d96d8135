package io.hourglass.fuzz;

import java.util.List;

/**
 * The fuzzer of the Thrift port with normal clients working throughout: {@link NormalLoad}
 * (two plain Apache Thrift clients and one {@code HourglassClient}, each enqueue → dequeue → ack
 * in a loop on a queue of its own) runs while {@link FuzzRun} sends the hostile frames
 * ({@link FuzzFrames}, judged by {@link AnswerOracle}).
 */
public final class FuzzCampaign {
  /** Queues the campaign uses; the caller creates them. */
  public static final List<String> QUEUES = List.of(ValidRequests.QUEUE, NormalLoad.THRIFT_QUEUE + 0,
      NormalLoad.THRIFT_QUEUE + 1, NormalLoad.JAVA_QUEUE);
  /** How long a frame may go without an answer or a close: far above any RPC's time on a healthy server. */
  static final int ANSWER_TIMEOUT_MILLIS = 15_000;
  private static final int THRIFT_CLIENTS = 2;

  private FuzzCampaign() {}

  /**
   * What to fuzz: the server's address, how many frames over how many connections, the seed, and
   * the server's limits (so that the oracle decodes frames as the server does).
   */
  public record Settings(String host, int port, long frames, int connections, long seed, int maxFrameBytes,
      int maxStringBytes, int maxContainerItems) {
    public Settings withFrames(long n) {
      return new Settings(host, port, n, connections, seed, maxFrameBytes, maxStringBytes, maxContainerItems);
    }

    public Settings withSeed(long s) {
      return new Settings(host, port, frames, connections, s, maxFrameBytes, maxStringBytes, maxContainerItems);
    }
  }

  /** The fuzz frames' report and how the normal clients fared meanwhile. */
  public record Result(FuzzRun.Report fuzz, long normalServed, long normalFailed, List<String> normalFailures) {
    public String summary() {
      return fuzz.summary() + "; normal requests: " + normalServed + " served, " + normalFailed + " failed";
    }
  }

  public static Result run(Settings settings) throws InterruptedException {
    NormalLoad normal = new NormalLoad(settings.host(), settings.port(), THRIFT_CLIENTS);
    normal.start();
    FuzzRun.Report report;
    try {
      report = new FuzzRun(settings).run();
    } finally {
      normal.close();
    }
    return new Result(report, normal.served(), normal.failed(), normal.failures());
  }
}
