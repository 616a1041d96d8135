"""The subcommands. Each takes a Session and the parsed arguments and returns the exit code."""
import getpass
import sys

from hourglass_admin import render
from hourglass_admin.exits import EXIT_OK, EXIT_REFUSED, EXIT_USAGE
from hourglass_thrift.constants import CONTINUATION_END, CONTINUATION_START
from hourglass_thrift.ttypes import (PinLaterCreateScheduleRequest, PinLaterDeleteJobsRequest,
                                     PinLaterDeleteScheduleRequest, PinLaterEnqueueRequest,
                                     PinLaterGetJobCountRequest, PinLaterJob, PinLaterJobState,
                                     PinLaterListSchedulesRequest, PinLaterLookupJobRequest,
                                     PinLaterRetryFailedJobsRequest, PinLaterScanJobsRequest)


def queues(s, args):
    names = sorted(s.client.getQueueNames(s.ctx))
    s.out.emit("\n".join(names), {"queues": names})
    return EXIT_OK


def create_queue(s, args):
    s.client.createQueue(s.ctx, args.name)
    s.out.emit("created queue %s" % args.name, {"queue": args.name, "created": True})
    return EXIT_OK


def delete_queue(s, args):
    password = args.password if args.password is not None else _read_password(args.name)
    s.client.deleteQueue(s.ctx, args.name, password)
    s.out.emit("deleted queue %s and all its jobs" % args.name, {"queue": args.name, "deleted": True})
    return EXIT_OK


def enqueue(s, args):
    if args.unique_key is not None and len(args.bodies) != 1:
        s.out.note("hourglass-admin: --unique-key takes exactly one BODY")
        return EXIT_USAGE
    options = {"priority": args.priority, "numAttemptsAllowed": args.attempts,
               "runAfterTimestampMillis": args.run_after_ms, "uniqueKey": args.unique_key,
               "expiresAtTimestampMillis": args.expires_at_ms}
    given = {k: v for k, v in options.items() if v is not None}  # the rest keep the IDL defaults
    jobs = [PinLaterJob(body=body.encode("utf-8"), **given) for body in args.bodies]
    response = s.client.enqueueJobs(s.ctx, PinLaterEnqueueRequest(queueName=args.queue, jobs=jobs))
    descriptors = response.jobDescriptors
    existing = sorted(set(response.existingJobIndexes or []))
    lines = [d + ("  (existing job: its unique key was held)" if i in existing else "")
             for i, d in enumerate(descriptors)]
    s.out.emit("\n".join(lines), {"queue": args.queue, "jobDescriptors": descriptors,
                                   "existingJobIndexes": existing})
    return EXIT_OK


def count(s, args):
    n = s.client.getJobCount(s.ctx, PinLaterGetJobCountRequest(
        queueName=args.queue, jobState=_state(args), priority=args.priority,
        countFutureJobs=args.future, bodyRegexToMatch=args.regex))
    s.out.emit("%s in queue %s (%s)" % (_jobs(n, args.state.upper()), args.queue, _filter_text(args)),
               {"queue": args.queue, "state": args.state.upper(), "priority": args.priority,
                "future": args.future, "regex": args.regex, "count": n})
    return EXIT_OK


def scan(s, args):
    """Pages with the server's continuation token until CONTINUATION_END (or --limit-total)."""
    token, total, pages = CONTINUATION_START, 0, 0
    while token != CONTINUATION_END and (args.limit_total is None or total < args.limit_total):
        page_limit = args.page_size
        if args.limit_total is not None:
            page_limit = min(page_limit, args.limit_total - total)
        page = s.client.scanJobs(s.ctx, PinLaterScanJobsRequest(
            queueName=args.queue, jobState=_state(args), priority=args.priority,
            scanFutureJobs=args.future, continuation=token, limit=page_limit, bodyRegexToMatch=args.regex))
        for info in page.scannedJobs:
            s.out.emit(render.job_line(info), render.job_dict(info))
        pages += 1
        total += len(page.scannedJobs)
        s.out.note("scan: page %d: %s, %d so far" % (pages, _jobs(len(page.scannedJobs)), total))
        if page.continuation == token:  # a server bug would otherwise make this loop forever
            s.out.note("scan: the server returned the same continuation twice; stopping")
            return EXIT_REFUSED
        token = page.continuation
    if token == CONTINUATION_END:
        s.out.note("scan: done: %s in %s" % (_jobs(total, args.state.upper()), _plural(pages, "page")))
    else:
        s.out.note("scan: stopped after --limit-total %s; more may match" % _jobs(total))
    return EXIT_OK


def lookup(s, args):
    wanted = list(dict.fromkeys(args.descriptors))
    found = s.client.lookupJobs(s.ctx, PinLaterLookupJobRequest(
        jobDescriptors=wanted, includeBody=args.body))
    missing = [d for d in wanted if d not in found]
    s.out.emit("\n".join(render.job_block(found[d]) for d in wanted if d in found),
               {"jobs": {d: render.job_dict(found[d]) for d in wanted if d in found}, "notFound": missing})
    for d in missing:
        s.out.note("lookup: not found: %s" % d)
    return EXIT_REFUSED if missing else EXIT_OK


def retry_failed(s, args):
    moved = s.client.retryFailedJobs(s.ctx, PinLaterRetryFailedJobsRequest(
        queueName=args.queue, priority=args.priority, attemptsToAllow=args.attempts,
        runAfterTimestampMillis=args.run_after_ms, limit=args.limit))
    s.out.emit("moved %s of priority %d in queue %s back to PENDING (attempts allowed: %d)"
               % (_jobs(moved, "FAILED"), args.priority, args.queue, args.attempts),
               {"queue": args.queue, "priority": args.priority, "moved": moved})
    return EXIT_OK


def delete(s, args):
    deleted = s.client.deleteJobs(s.ctx, PinLaterDeleteJobsRequest(
        queueName=args.queue, jobState=_state(args), priority=args.priority,
        bodyRegexToMatch=args.regex, limit=args.limit))
    s.out.emit("deleted %s of priority %d from queue %s"
               % (_jobs(deleted, args.state.upper()), args.priority, args.queue),
               {"queue": args.queue, "state": args.state.upper(), "priority": args.priority,
                "deleted": deleted})
    return EXIT_OK


def schedules(s, args):
    return {"list": _list_schedules, "create": _create_schedule, "delete": _delete_schedule}[args.action](s, args)


def _list_schedules(s, args):
    found = s.client.listSchedules(s.ctx, PinLaterListSchedulesRequest(queueName=args.queue)).schedules
    s.out.emit("\n".join(render.schedule_line(x) for x in found),
               {"schedules": [render.schedule_dict(x) for x in found]})
    if not found:
        s.out.note("schedules: none%s" % (" for queue %s" % args.queue if args.queue else ""))
    return EXIT_OK


def _create_schedule(s, args):
    options = {"priority": args.priority, "numAttemptsAllowed": args.attempts}
    template = PinLaterJob(body=args.body.encode("utf-8"), **{k: v for k, v in options.items() if v is not None})
    created = s.client.createSchedule(s.ctx, PinLaterCreateScheduleRequest(
        queueName=args.queue, cronExpression=args.cron, timeZone=args.time_zone, intervalMillis=args.every_ms,
        jobTemplate=template)).schedule
    s.out.emit("created " + render.schedule_line(created), render.schedule_dict(created))
    return EXIT_OK


def _delete_schedule(s, args):
    deleted = s.client.deleteSchedule(s.ctx, PinLaterDeleteScheduleRequest(scheduleId=args.schedule_id)).deleted
    s.out.emit("deleted schedule %d" % args.schedule_id if deleted else "",
               {"scheduleId": args.schedule_id, "deleted": deleted})
    if not deleted:
        s.out.note("schedules: no schedule %d" % args.schedule_id)
    return EXIT_OK if deleted else EXIT_REFUSED


BY_NAME = {"queues": queues, "create-queue": create_queue, "delete-queue": delete_queue,
           "enqueue": enqueue, "count": count, "scan": scan, "lookup": lookup,
           "retry-failed": retry_failed, "delete": delete, "schedules": schedules}


def _state(args):
    return PinLaterJobState._NAMES_TO_VALUES[args.state.upper()]


def _jobs(n, state=""):
    return _plural(n, state + " job" if state else "job")


def _plural(n, noun):
    return "%d %s%s" % (n, noun, "" if n == 1 else "s")


def _filter_text(args):
    parts = ["priority %d" % args.priority if args.priority else "all priorities",
             "run-after in the future" if args.future else "runnable now"]
    if args.regex:
        parts.append("body matching %s" % args.regex)
    return ", ".join(parts)


def _read_password(queue):
    if sys.stdin.isatty():
        return getpass.getpass("delete password for queue %s: " % queue)
    return sys.stdin.readline().rstrip("\n")
