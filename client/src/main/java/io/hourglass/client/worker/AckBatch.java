package io.hourglass.client.worker;

import io.hourglass.thrift.PinLaterJobAckInfo;
import io.hourglass.thrift.PinLaterJobAckRequest;
import java.time.Instant;
import java.util.List;
import java.util.Set;

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

  /** The acks of this batch whose descriptor is in {@code descriptors}. */
  AckBatch only(Set<String> descriptors) {
    return new AckBatch(
        succeeded.stream().filter(a -> descriptors.contains(a.getJobDescriptor())).toList(),
        failed.stream().filter(a -> descriptors.contains(a.getJobDescriptor())).toList(),
        oldest);
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
