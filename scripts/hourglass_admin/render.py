"""How a job looks: a dict with the IDL's field names for --json, one line for scans, a block
for lookups. Times are epoch milliseconds in JSON and ISO 8601 UTC for humans."""
import base64
import datetime
import json

from hourglass_thrift.ttypes import PinLaterJobState


def state_name(state):
    return PinLaterJobState._VALUES_TO_NAMES.get(state, str(state))


def iso(millis):
    if millis is None:
        return "-"
    try:
        t = datetime.datetime.fromtimestamp(millis / 1000, datetime.timezone.utc)
    except (OverflowError, OSError, ValueError):
        return str(millis)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (millis % 1000)


def job_dict(info):
    d = {
        "jobDescriptor": info.jobDescriptor,
        "jobState": state_name(info.jobState),
        "attemptsAllowed": info.attemptsAllowed,
        "attemptsRemaining": info.attemptsRemaining,
        "customStatus": info.customStatus,
        "createdAtTimestampMillis": info.createdAtTimestampMillis,
        "runAfterTimestampMillis": info.runAfterTimestampMillis,
        "updatedAtTimestampMillis": info.updatedAtTimestampMillis,
        "claimDescriptor": info.claimDescriptor,
    }
    if info.uniqueKey is not None:
        d["uniqueKey"] = info.uniqueKey
    if info.expiresAtTimestampMillis is not None:
        d["expiresAtTimestampMillis"] = info.expiresAtTimestampMillis
    if info.attempts is not None:
        d["attempts"] = [{"attempt": a.attempt, "timestampMillis": a.timestampMillis,
                          "claimDescriptor": a.claimDescriptor, "status": a.status} for a in info.attempts]
    if info.body is not None:
        try:
            d["body"] = info.body.decode("utf-8")
        except UnicodeDecodeError:
            d["bodyBase64"] = base64.b64encode(info.body).decode("ascii")
    return d


def job_line(info):
    parts = [info.jobDescriptor, state_name(info.jobState),
             "attempts=%s/%s" % (info.attemptsRemaining, info.attemptsAllowed),
             "runAfter=" + iso(info.runAfterTimestampMillis),
             "updated=" + iso(info.updatedAtTimestampMillis)]
    if info.claimDescriptor:
        parts.append("claimedBy=" + info.claimDescriptor)
    if info.customStatus:
        parts.append("status=" + _quoted(info.customStatus))
    return "  ".join(parts)


def job_block(info):
    rows = [("state", state_name(info.jobState)),
            ("attempts", "%s of %s left" % (info.attemptsRemaining, info.attemptsAllowed)),
            ("created", iso(info.createdAtTimestampMillis)),
            ("run after", iso(info.runAfterTimestampMillis)),
            ("updated", iso(info.updatedAtTimestampMillis)),
            ("claimed by", info.claimDescriptor or "-"),
            ("status", _quoted(info.customStatus or ""))]
    if info.uniqueKey is not None:
        rows.append(("unique key", _quoted(info.uniqueKey)))
    if info.expiresAtTimestampMillis is not None:
        rows.append(("expires", iso(info.expiresAtTimestampMillis)))
    if info.body is not None:
        rows.append(("body", body_text(info.body)))
    lines = [info.jobDescriptor] + ["  %-11s %s" % row for row in rows]
    if info.attempts:
        lines.append("  attempts (last %d, oldest first):" % len(info.attempts))
        lines += ["    #%d  %s  %s  %s" % (a.attempt, iso(a.timestampMillis), a.claimDescriptor or "-",
                                          _quoted(a.status or "")) for a in info.attempts]
    return "\n".join(lines)


def body_text(body):
    try:
        return _quoted(body.decode("utf-8"))
    except UnicodeDecodeError:
        return "(%d bytes, not UTF-8) base64:%s" % (len(body), base64.b64encode(body).decode("ascii"))


def _quoted(text):
    return json.dumps(text, ensure_ascii=False)  # one line, quotes and escapes visible


def schedule_dict(schedule):
    t = schedule.jobTemplate
    return {"scheduleId": schedule.scheduleId, "queueName": schedule.queueName,
            "cronExpression": schedule.cronExpression, "timeZone": schedule.timeZone,
            "intervalMillis": schedule.intervalMillis, "body": t.body.decode("utf-8", "replace"),
            "priority": t.priority, "numAttemptsAllowed": t.numAttemptsAllowed,
            "nextFireTimestampMillis": schedule.nextFireTimestampMillis,
            "createdAtTimestampMillis": schedule.createdAtTimestampMillis}


def schedule_line(schedule):
    when = ("cron=%s tz=%s" % (_quoted(schedule.cronExpression), schedule.timeZone or "UTC")
            if schedule.cronExpression is not None else "every=%dms" % schedule.intervalMillis)
    t = schedule.jobTemplate
    return "  ".join(["schedule %d" % schedule.scheduleId, schedule.queueName, when,
                      "next=" + iso(schedule.nextFireTimestampMillis),
                      "priority=%s" % t.priority, "attempts=%s" % t.numAttemptsAllowed,
                      "body=" + body_text(t.body)])
