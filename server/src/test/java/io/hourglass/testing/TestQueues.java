package io.hourglass.testing;

import org.junit.jupiter.api.TestInfo;

/** Queue names for tests: the test method's name, cut to the 60-character limit. */
public final class TestQueues {
  private TestQueues() {}

  public static String nameFor(TestInfo info) {
    String name = info.getTestMethod().orElseThrow().getName();
    return name.length() > 60 ? name.substring(0, 60) : name;
  }
}
