"""A Python client generated from OUR IDL (hourglass.thrift) runs the core scenario against a live
server: create a queue, enqueue jobs of three priorities, dequeue them in priority order, ack,
count, look up, and page through a scan. Exits non-zero with a message on any mismatch.
scenario.js does the same from Node.js; CrossLanguageClientTest runs both.

usage: hourglass_client_scenario.py HOST PORT QUEUE   (PYTHONPATH must hold hourglass_thrift)
"""
import sys

from thrift.protocol import TBinaryProtocol
from thrift.transport import TSocket, TTransport
from hourglass_thrift import PinLater
from hourglass_thrift.constants import CONTINUATION_END, CONTINUATION_START
from hourglass_thrift.ttypes import (ErrorCode, PinLaterDequeueRequest, PinLaterEnqueueRequest,
                                     PinLaterException, PinLaterGetJobCountRequest, PinLaterJob,
                                     PinLaterJobAckInfo, PinLaterJobAckRequest, PinLaterJobState,
                                     PinLaterLookupJobRequest, PinLaterScanJobsRequest, RequestContext)

PRIORITIES = (3, 1, 2)
PER_PRIORITY = 3
SCAN_JOBS, SCAN_PAGE = 25, 7


def check(cond, what):
    if not cond:
        print("FAIL: " + what)
        sys.exit(1)


def priority_of(descriptor):
    return int(descriptor.split(":")[2][1:])


def count(client, ctx, queue, state, priority=None):
    return client.getJobCount(ctx, PinLaterGetJobCountRequest(
        queueName=queue, jobState=state, priority=priority))


def dequeue_all_in_priority_order(client, ctx, queue):
    seen = []
    while True:
        resp = client.dequeueJobs(ctx, PinLaterDequeueRequest(queueName=queue, limit=4))
        if not resp.jobs:
            return seen
        batch = sorted(priority_of(d) for d in resp.jobs)
        check(not seen or seen[-1] <= batch[0], "priority order across batches: %s then %s" % (seen, batch))
        seen.extend(batch)
        for d, body in resp.jobs.items():
            check(body.decode().endswith("-p%d" % priority_of(d)), "body %r matches the priority of %s"
                  % (body, d))
            check(resp.jobMetadata[d].attemptsRemaining == 2, "the running attempt counts as remaining (PinLater): 2 of 2 on the first dequeue of " + d)
        client.ackDequeuedJobs(ctx, PinLaterJobAckRequest(
            queueName=queue, jobsSucceeded=[PinLaterJobAckInfo(jobDescriptor=d) for d in resp.jobs]))


def scan_all(client, ctx, queue):
    token, pages, seen = CONTINUATION_START, 0, []
    while token != CONTINUATION_END:
        resp = client.scanJobs(ctx, PinLaterScanJobsRequest(
            queueName=queue, jobState=PinLaterJobState.PENDING, continuation=token, limit=SCAN_PAGE))
        check(len(resp.scannedJobs) <= SCAN_PAGE, "page of at most %d jobs" % SCAN_PAGE)
        seen.extend(j.jobDescriptor for j in resp.scannedJobs)
        pages += 1
        check(pages <= 10, "scan ends")
        token = resp.continuation
    return seen, pages


def main():
    host, port, queue = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    transport = TTransport.TFramedTransport(TSocket.TSocket(host, port))
    client = PinLater.Client(TBinaryProtocol.TBinaryProtocol(transport))
    transport.open()
    ctx = RequestContext(source="python-client-scenario")

    client.createQueue(ctx, queue)
    check(queue in client.getQueueNames(ctx), "queue listed")

    jobs = [PinLaterJob(body=("py-%d-p%d" % (i, p)).encode(), priority=p)
            for p in PRIORITIES for i in range(PER_PRIORITY)]
    descriptors = client.enqueueJobs(ctx, PinLaterEnqueueRequest(queueName=queue, jobs=jobs)).jobDescriptors
    total = len(jobs)
    check(len(descriptors) == total, "%d descriptors, got %d" % (total, len(descriptors)))
    check(count(client, ctx, queue, PinLaterJobState.PENDING) == total, "count of PENDING jobs")
    check(count(client, ctx, queue, PinLaterJobState.PENDING, priority=2) == PER_PRIORITY, "count of priority 2")

    seen = dequeue_all_in_priority_order(client, ctx, queue)
    check(seen == sorted(seen) and len(seen) == total, "all %d dequeued in priority order: %s" % (total, seen))
    check(count(client, ctx, queue, PinLaterJobState.SUCCEEDED) == total, "count of SUCCEEDED jobs")

    infos = client.lookupJobs(ctx, PinLaterLookupJobRequest(jobDescriptors=descriptors, includeBody=True))
    check(sorted(infos) == sorted(descriptors), "lookup finds every job")
    for d, info in infos.items():
        check(info.jobState == PinLaterJobState.SUCCEEDED, d + " SUCCEEDED")
        check(info.claimDescriptor == ctx.source, d + " claimed by " + ctx.source)
        check(info.body.decode().endswith("-p%d" % priority_of(d)), d + " body")

    enqueued = []
    for i in range(0, SCAN_JOBS, 10):  # several requests, so the jobs spread over shards
        batch = [PinLaterJob(body=("py-scan-%d" % n).encode()) for n in range(i, min(i + 10, SCAN_JOBS))]
        enqueued += client.enqueueJobs(ctx, PinLaterEnqueueRequest(queueName=queue, jobs=batch)).jobDescriptors
    scanned, pages = scan_all(client, ctx, queue)
    check(sorted(scanned) == sorted(enqueued), "scan visits every job exactly once: %s" % scanned)

    try:
        client.enqueueJobs(ctx, PinLaterEnqueueRequest(queueName=queue + "_missing", jobs=jobs[:1]))
        check(False, "enqueue to a missing queue must raise")
    except PinLaterException as e:
        check(e.errorCode == ErrorCode.QUEUE_NOT_FOUND, "QUEUE_NOT_FOUND, got %s" % e.errorCode)

    transport.close()
    print("OK python client: %d jobs dequeued in priority order and acked, %d jobs scanned in %d pages"
          % (total, len(scanned), pages))


if __name__ == "__main__":
    main()
