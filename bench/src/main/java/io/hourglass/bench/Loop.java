package io.hourglass.bench;

/**
 * One client's work, run over and over by one thread of a {@link CellRunner}. Latencies go to the
 * runner's recorder through {@link CellRunner.Context#record}; the return value counts the jobs moved.
 */
interface Loop extends AutoCloseable {
  /** One iteration (e.g. one RPC); returns how many jobs it moved (enqueued, or dequeued and acked). */
  int runOnce(CellRunner.Context context) throws Exception;

  /** Called once on the loop's thread after the cell ends. */
  @Override
  default void close() throws Exception {}

  /** Makes the loop of client {@code index} (0-based) of a cell. */
  interface Factory {
    Loop create(int index) throws Exception;
  }
}
