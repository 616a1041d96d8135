"""A PinLater client generated from the *reference* PinLater IDL, run against Hourglass.

Proves wire compatibility: create a queue, enqueue jobs of several priorities, dequeue them in
priority order, ack them, look them up. Exits non-zero with a message on any mismatch.

usage: reference_client.py HOST PORT QUEUE   (PYTHONPATH must hold the generated thrift_libs)
"""
import sys

from thrift.protocol import TBinaryProtocol
from thrift.transport import TSocket, TTransport
from thrift_libs import PinLater
from thrift_libs.ttypes import (ErrorCode, PinLaterDequeueRequest, PinLaterEnqueueRequest,
                                PinLaterException, PinLaterJob, PinLaterJobAckInfo,
                                PinLaterJobAckRequest, PinLaterJobState, PinLaterLookupJobRequest,
                                RequestContext)


def check(cond, what):
    if not cond:
        print("FAIL: " + what)
        sys.exit(1)


def main():
    host, port, queue = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    transport = TTransport.TFramedTransport(TSocket.TSocket(host, port))
    client = PinLater.Client(TBinaryProtocol.TBinaryProtocol(transport))
    transport.open()
    ctx = RequestContext(source="python-reference-client")

    client.createQueue(ctx, queue)
    check(queue in client.getQueueNames(ctx), "queue listed")

    jobs = [PinLaterJob(body=("job-%d-p%d" % (i, p)).encode(), priority=p)
            for p in (3, 1, 2) for i in range(4)]
    descriptors = client.enqueueJobs(ctx, PinLaterEnqueueRequest(queueName=queue, jobs=jobs)).jobDescriptors
    check(len(descriptors) == 12, "12 descriptors, got %d" % len(descriptors))

    seen = []
    while True:
        resp = client.dequeueJobs(ctx, PinLaterDequeueRequest(queueName=queue, limit=5))
        if not resp.jobs:
            break
        batch = sorted(int(d.split(":")[2][1:]) for d in resp.jobs)
        check(not seen or seen[-1] <= batch[0], "priority order across batches: %s then %s" % (seen, batch))
        seen.extend(batch)
        for d, body in resp.jobs.items():
            check(body.decode().endswith("-p%s" % d.split(":")[2][1:]), "body matches priority for " + d)
            check(resp.jobMetadata[d].attemptsAllowed == 2, "default attempts allowed")
        client.ackDequeuedJobs(ctx, PinLaterJobAckRequest(
            queueName=queue, jobsSucceeded=[PinLaterJobAckInfo(jobDescriptor=d) for d in resp.jobs]))
    check(seen == sorted(seen) and len(seen) == 12, "all 12 dequeued in priority order: %s" % seen)

    infos = client.lookupJobs(ctx, PinLaterLookupJobRequest(jobDescriptors=descriptors, includeBody=True))
    check(len(infos) == 12, "lookup finds all 12")
    check(all(i.jobState == PinLaterJobState.SUCCEEDED for i in infos.values()), "all SUCCEEDED")
    check(all(i.attemptsRemaining == 2 for i in infos.values()), "a first-run success keeps 2 remaining")

    attempts_scenario(client, ctx, queue)

    try:
        client.enqueueJobs(ctx, PinLaterEnqueueRequest(queueName="no_such_queue_x", jobs=jobs[:1]))
        check(False, "unknown queue must raise")
    except PinLaterException as e:
        check(e.errorCode == ErrorCode.QUEUE_NOT_FOUND, "QUEUE_NOT_FOUND, got %s" % e.errorCode)

    transport.close()
    print("OK reference client: 12 jobs enqueued, dequeued in priority order and acked; "
          "attempt counts as PinLater's")


def attempts_scenario(client, ctx, queue):
    """PinLater's attempt counts: the running attempt counts as remaining; 1 marks the last."""
    d = client.enqueueJobs(ctx, PinLaterEnqueueRequest(queueName=queue, jobs=[
        PinLaterJob(body=b"retried", priority=1, numAttemptsAllowed=2)])).jobDescriptors[0]

    def lookup():
        return client.lookupJobs(ctx, PinLaterLookupJobRequest(jobDescriptors=[d]))[d]

    def fail():
        client.ackDequeuedJobs(ctx, PinLaterJobAckRequest(
            queueName=queue, jobsFailed=[PinLaterJobAckInfo(jobDescriptor=d, retryDelayMillis=0)]))

    for remaining in (2, 1):
        meta = client.dequeueJobs(ctx, PinLaterDequeueRequest(queueName=queue, limit=1)).jobMetadata[d]
        check((meta.attemptsAllowed, meta.attemptsRemaining) == (2, remaining),
              "handed out with 2 allowed, %d remaining: got %s" % (remaining, meta))
        info = lookup()
        check((info.jobState, info.attemptsRemaining) == (PinLaterJobState.IN_PROGRESS, remaining),
              "IN_PROGRESS with %d remaining: got %s" % (remaining, info))
        fail()
        info = lookup()
        want = (PinLaterJobState.PENDING, 1) if remaining == 2 else (PinLaterJobState.FAILED, 0)
        check((info.jobState, info.attemptsRemaining) == want,
              "after the failure ack %s: got %s" % (want, info))


if __name__ == "__main__":
    main()
