package io.hourglass.client.worker;

import io.hourglass.thrift.PinLaterJobAckInfo;
import io.hourglass.thrift.PinLaterJobAckRequest;
import java.time.Instant;
import java.util.List;

/** Acks taken out of the {@link AckBatcher} to send together; {@code oldest} is when the first was made. */
record AckBatch(List<PinLaterJobAckInfo> succeeded, List<PinLaterJobAckInfo> failed, Instant oldest) {
  static final AckBatch EMPTY = new AckBatch(List.of(), List.of(), Instant.MAX);

  AckBatch {
    succeeded = List.copyOf(succeeded);
    failed = List.copyOf(failed);
  }

  int size() {
    return succeeded.size() + failed.size();
  }

  boolean isEmpty() {
    return size() == 0;
  }

  PinLaterJobAckRequest toRequest(String queue) {
    PinLaterJobAckRequest request = new PinLaterJobAckRequest(queue);
    if (!succeeded.isEmpty()) {
      request.setJobsSucceeded(succeeded);
    }
    if (!failed.isEmpty()) {
      request.setJobsFailed(failed);
    }
    return request;
  }
}
