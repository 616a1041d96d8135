"""A Python client generated from OUR IDL (hourglass.thrift) uses each extension once against a
live server whose queue QUEUE has a fixed retry policy of 60 s and whose expiry sweep runs often:
unique keys, expiry, give-up acks, the queue's retry policy, attempt history, and schedules.
Exits non-zero with a message on any mismatch. CrossLanguageClientTest runs it.

usage: extensions_scenario.py HOST PORT QUEUE   (PYTHONPATH must hold hourglass_thrift)
"""
import sys
import time

from thrift.protocol import TBinaryProtocol
from thrift.transport import TSocket, TTransport
from hourglass_thrift import PinLater
from hourglass_thrift.ttypes import (ErrorCode, PinLaterCreateScheduleRequest, PinLaterDeleteScheduleRequest,
                                     PinLaterDequeueRequest, PinLaterEnqueueRequest, PinLaterException,
                                     PinLaterGetJobCountRequest, PinLaterJob, PinLaterJobAckInfo,
                                     PinLaterJobAckRequest, PinLaterJobState, PinLaterListSchedulesRequest,
                                     PinLaterLookupJobRequest, PinLaterRetryFailedJobsRequest, RequestContext)


def check(cond, what):
    if not cond:
        print("FAIL: " + what)
        sys.exit(1)


def now_ms():
    return int(time.time() * 1000)


def lookup(client, ctx, descriptor):
    return client.lookupJobs(ctx, PinLaterLookupJobRequest(jobDescriptors=[descriptor]))[descriptor]


def dequeue_one(client, ctx, queue):
    resp = client.dequeueJobs(ctx, PinLaterDequeueRequest(queueName=queue, limit=10))
    check(len(resp.jobs or {}) == 1, "one job dequeued, got %s" % resp.jobs)
    return next(iter(resp.jobs))


def main(host, port, queue):
    sock = TSocket.TSocket(host, port)
    sock.setTimeout(30000)
    transport = TTransport.TFramedTransport(sock)
    transport.open()
    client = PinLater.Client(TBinaryProtocol.TBinaryProtocol(transport))
    ctx = RequestContext(source="py-extensions")
    client.createQueue(ctx, queue)

    # Unique key: the second enqueue of the key returns the first job and says so.
    first = client.enqueueJobs(ctx, PinLaterEnqueueRequest(queueName=queue, jobs=[
        PinLaterJob(body=b"once", uniqueKey="invoice-42")]))
    check(not first.existingJobIndexes, "first enqueue stored the job: %s" % first.existingJobIndexes)
    again = client.enqueueJobs(ctx, PinLaterEnqueueRequest(queueName=queue, jobs=[
        PinLaterJob(body=b"twice", uniqueKey="invoice-42"), PinLaterJob(body=b"other")]))
    check(again.jobDescriptors[0] == first.jobDescriptors[0], "same descriptor for the held key")
    check(again.existingJobIndexes == [0], "existingJobIndexes names the held key's job: %s" % again.existingJobIndexes)
    check(lookup(client, ctx, first.jobDescriptors[0]).uniqueKey == "invoice-42", "lookup shows the key")

    # Give up: a failure ack with giveUp ends the job at once; the attempt is in its history.
    keyed = dequeue_one_of(client, ctx, queue, first.jobDescriptors[0], again.jobDescriptors[1])
    client.ackDequeuedJobs(ctx, PinLaterJobAckRequest(queueName=queue, jobsFailed=[
        PinLaterJobAckInfo(jobDescriptor=keyed, appendCustomStatus="bad input", giveUp=True)]))
    info = lookup(client, ctx, keyed)
    check(info.jobState == PinLaterJobState.FAILED, "given up: FAILED with attempts left")
    check(info.attemptsRemaining == 1, "one attempt was left: %d" % info.attemptsRemaining)
    check(len(info.attempts) == 1 and info.attempts[0].attempt == 1 and info.attempts[0].status == "bad input"
          and info.attempts[0].claimDescriptor == "py-extensions", "attempt history: %s" % info.attempts)

    # Retry policy: the queue's fixed 60 s policy replaces the ack's own delay.
    other = again.jobDescriptors[1]
    before = now_ms()
    client.ackDequeuedJobs(ctx, PinLaterJobAckRequest(queueName=queue, jobsFailed=[
        PinLaterJobAckInfo(jobDescriptor=other, retryDelayMillis=0, retryDelayFromQueuePolicy=True)]))
    info = lookup(client, ctx, other)
    check(info.jobState == PinLaterJobState.PENDING, "retried")
    check(info.runAfterTimestampMillis >= before + 59000, "policy delay of 60 s: runAfter %d, acked at %d"
          % (info.runAfterTimestampMillis, before))

    # Expiry: a job not dequeued in time is never handed out and ends FAILED "expired at ...".
    expiring = client.enqueueJobs(ctx, PinLaterEnqueueRequest(queueName=queue, jobs=[
        PinLaterJob(body=b"late", priority=2, expiresAtTimestampMillis=now_ms() + 300)])).jobDescriptors[0]
    time.sleep(0.5)
    resp = client.dequeueJobs(ctx, PinLaterDequeueRequest(queueName=queue, limit=10))
    check(not resp.jobs, "the expired job is not dequeued: %s" % resp.jobs)
    deadline = time.time() + 20
    while lookup(client, ctx, expiring).jobState != PinLaterJobState.FAILED and time.time() < deadline:
        time.sleep(0.1)
    info = lookup(client, ctx, expiring)
    check(info.jobState == PinLaterJobState.FAILED and info.customStatus.startswith("expired at "),
          "expired: %s %r" % (info.jobState, info.customStatus))
    check(client.getJobCount(ctx, PinLaterGetJobCountRequest(
        queueName=queue, jobState=PinLaterJobState.FAILED, priority=2)) == 1, "the expired job is counted")
    check(client.retryFailedJobs(ctx, PinLaterRetryFailedJobsRequest(queueName=queue, priority=2)) == 1,
          "the expired job is redriven")
    check(dequeue_one(client, ctx, queue) == expiring, "and then dequeued")

    # Schedules: create, list, delete.
    created = client.createSchedule(ctx, PinLaterCreateScheduleRequest(
        queueName=queue, cronExpression="0 9 * * 1-5", timeZone="Europe/Paris",
        jobTemplate=PinLaterJob(body=b"report", priority=3))).schedule
    listed = client.listSchedules(ctx, PinLaterListSchedulesRequest(queueName=queue)).schedules
    check([s.scheduleId for s in listed] == [created.scheduleId], "listed: %s" % listed)
    check(listed[0].cronExpression == "0 9 * * 1-5" and listed[0].jobTemplate.body == b"report", "as created")
    try:
        client.createSchedule(ctx, PinLaterCreateScheduleRequest(
            queueName=queue, intervalMillis=10, jobTemplate=PinLaterJob(body=b"x")))
        check(False, "an interval under 1 s is refused")
    except PinLaterException as e:
        check(e.errorCode == ErrorCode.CONTINUATION_INVALID and "intervalMillis" in e.message, e.message)
    check(client.deleteSchedule(ctx, PinLaterDeleteScheduleRequest(scheduleId=created.scheduleId)).deleted,
          "deleted")
    check(not client.listSchedules(ctx, PinLaterListSchedulesRequest(queueName=queue)).schedules, "gone")

    transport.close()
    print("OK python extensions: unique key, give-up, retry policy, attempt history, expiry, schedules")


def dequeue_one_of(client, ctx, queue, wanted, other):
    """Dequeues both jobs and returns wanted (other stays IN_PROGRESS for the retry-policy step)."""
    resp = client.dequeueJobs(ctx, PinLaterDequeueRequest(queueName=queue, limit=10))
    check(set(resp.jobs or {}) == {wanted, other}, "both jobs dequeued: %s" % resp.jobs)
    return wanted


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
