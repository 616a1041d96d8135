"""Command line: subcommands and options (the exit codes are in exits.py). Nothing here needs the
Thrift stubs, so `--help` and usage errors work on a machine without the Thrift compiler."""
import argparse
import os
import socket
import sys

from hourglass_admin import stubs
from hourglass_admin.exits import EXIT_UNREACHABLE

STATES = ("pending", "in_progress", "succeeded", "failed")

EPILOG = """\
exit codes: 0 ok; 1 the server refused (PinLaterException code and message on stderr) or a
looked-up job was not found; 2 bad usage; 3 server unreachable or a tool missing.
Options such as --host, --port, --source and --json go before or after the subcommand."""


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.command in ("pause", "resume"):
        from hourglass_admin import adminapi  # the admin HTTP API: no Thrift stubs needed
        return adminapi.run(args)
    try:
        stubs.load()
    except stubs.ToolMissing as e:
        print("hourglass-admin: %s" % e, file=sys.stderr)
        return EXIT_UNREACHABLE
    from hourglass_admin import session  # imports the generated stubs, so only after load()
    return session.run(args)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="hourglass-admin", description="Operate Hourglass queues over the PinLater Thrift API.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _connection_options(parser, with_defaults=True)
    subs = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name, help_text):
        sub = subs.add_parser(name, help=help_text, description=help_text)
        _connection_options(sub, with_defaults=False)
        return sub

    command("queues", "list every queue")

    sub = command("create-queue", "create a queue on every shard (idempotent)")
    sub.add_argument("name")

    sub = command("delete-queue", "delete a queue and ALL its jobs on every shard")
    sub.add_argument("name")
    sub.add_argument("--password", help="the server's delete password; if omitted, it is prompted for "
                     "(or read from the first line of stdin when stdin is not a terminal)")

    sub = command("enqueue", "enqueue one job per BODY")
    sub.add_argument("queue")
    sub.add_argument("bodies", metavar="BODY", nargs="+")
    _priority(sub, "priority of the jobs (server default 1)")
    sub.add_argument("--attempts", type=_positive, help="attempts allowed per job (server default 2)")
    sub.add_argument("--run-after-ms", type=int, metavar="EPOCH_MS", help="not dequeued before this time")
    sub.add_argument("--unique-key", metavar="KEY", help="unique key of the job (one BODY only): if an "
                     "unfinished job of the queue holds it, nothing is stored and that job is returned")
    sub.add_argument("--expires-at-ms", type=int, metavar="EPOCH_MS", help="a job not dequeued by then "
                     "goes to FAILED (\"expired at ...\") instead of running late")

    sub = command("count", "count the jobs of one state")
    _job_filter(sub, future_help="count jobs whose run-after is in the future instead of runnable ones")

    sub = command("scan", "list every job of one state, paging until the end (progress on stderr)")
    _job_filter(sub, future_help="scan jobs whose run-after is in the future instead of runnable ones")
    sub.add_argument("--page-size", type=_positive, default=1000, help="jobs per request (default 1000)")
    sub.add_argument("--limit-total", type=_positive, metavar="N", help="stop after N jobs")

    sub = command("lookup", "show jobs by descriptor")
    sub.add_argument("descriptors", metavar="DESCRIPTOR", nargs="+")
    sub.add_argument("--body", action="store_true", help="include the job bodies")

    sub = command("retry-failed", "move FAILED jobs of one priority back to PENDING")
    sub.add_argument("queue")
    _priority(sub, "priority to retry (default 1)", default=1)
    sub.add_argument("--attempts", type=_positive, default=1, help="attempts to allow each job (default 1)")
    sub.add_argument("--limit", type=_positive, default=1000, help="at most this many jobs (default 1000; "
                     "the server caps it at 10000)")
    sub.add_argument("--run-after-ms", type=int, metavar="EPOCH_MS", help="not dequeued before this time "
                     "(default now)")

    for name, text in (("pause", "pause a queue on every server (dequeues refused, acks applied) until resumed"),
                       ("resume", "resume a paused queue on every server")):
        sub = command(name, text + "; over the admin HTTP API, with the admin password "
                      "($HOURGLASS_ADMIN_PASSWORD, else prompted / first line of stdin)")
        sub.add_argument("queue")
        sub.add_argument("--admin-url", default=os.environ.get("HOURGLASS_ADMIN_URL", "http://127.0.0.1:9011"),
                         help="the server's admin port (default $HOURGLASS_ADMIN_URL, else http://127.0.0.1:9011)")
        sub.add_argument("--user", default=os.environ.get("USER", "operator"),
                         help="who you are, for the server's log and the pause record (default $USER)")

    sub = command("delete", "delete jobs of one state and priority, whatever their run-after")
    sub.add_argument("queue")
    _state(sub)
    _priority(sub, "priority to delete from (default 1)", default=1)
    sub.add_argument("--regex", help="only bodies matching this MariaDB REGEXP")
    sub.add_argument("--limit", type=_positive, default=1000,
                     help="at most this many jobs, oldest first (default 1000; the server caps it at 10000)")

    sub = command("schedules", "list, create or delete schedules (one job per tick, enqueued by the server)")
    actions = sub.add_subparsers(dest="action", metavar="ACTION", required=True)

    def action(name, help_text):
        a = actions.add_parser(name, help=help_text, description=help_text)
        _connection_options(a, with_defaults=False)
        return a

    a = action("list", "list schedules, by id")
    a.add_argument("--queue", help="only this queue's schedules")
    a = action("create", "create a schedule: give --cron (with --time-zone) or --every-ms")
    a.add_argument("queue")
    when = a.add_mutually_exclusive_group(required=True)
    when.add_argument("--cron", metavar="EXPR", help="5-field Unix cron: minute hour day-of-month month "
                      "day-of-week, e.g. '0 9 * * 1-5'")
    when.add_argument("--every-ms", type=int, metavar="MILLIS", help="fixed interval (at least 1000)")
    a.add_argument("--time-zone", metavar="ZONE", help="IANA time zone of --cron (default UTC)")
    a.add_argument("--body", required=True, help="body of every job the schedule enqueues")
    _priority(a, "priority of its jobs (server default 1)")
    a.add_argument("--attempts", type=_positive, help="attempts allowed per job (server default 2)")
    a = action("delete", "delete a schedule (jobs it already enqueued stay)")
    a.add_argument("schedule_id", metavar="ID", type=int)
    return parser


def _connection_options(parser, with_defaults):
    # The top-level parser holds the defaults; subcommand parsers only override what is given, so
    # the options work on either side of the subcommand.
    def default(value):
        return value if with_defaults else argparse.SUPPRESS

    parser.add_argument("--host", default=default("127.0.0.1"), help="server host (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=default(9010), help="server Thrift port (default 9010)")
    parser.add_argument("--source", default=default("hourglass-admin:" + socket.gethostname()),
                        help="RequestContext.source sent with every call (default hourglass-admin:HOSTNAME)")
    parser.add_argument("--timeout", type=float, default=default(30.0),
                        help="socket timeout in seconds (default 30)")
    parser.add_argument("--json", action="store_true", default=default(False),
                        help="machine-readable output (scan: one JSON object per line)")


def _job_filter(sub, future_help):
    sub.add_argument("queue")
    _state(sub)
    _priority(sub, "only this priority (default: all)")
    sub.add_argument("--future", action="store_true", help=future_help)
    sub.add_argument("--regex", help="only bodies matching this MariaDB REGEXP")


def _state(sub):
    sub.add_argument("--state", required=True, type=str.lower, choices=STATES)


def _priority(sub, help_text, default=None):
    sub.add_argument("--priority", type=_priority_value, default=default, help=help_text)


def _priority_value(text):
    value = int(text)
    if not 1 <= value <= 127:  # a Thrift byte; the server checks its own configured range
        raise argparse.ArgumentTypeError("priority must be between 1 and 127")
    return value


def _positive(text):
    value = int(text)
    if not 1 <= value <= 2**31 - 1:  # a Thrift i32
        raise argparse.ArgumentTypeError("must be between 1 and 2147483647")
    return value
