"""One connection per command, output in either format, and failures turned into exit codes."""
import json
import logging
import os
import sys

from thrift.Thrift import TApplicationException
from thrift.protocol import TBinaryProtocol
from thrift.transport import TSocket, TTransport

from hourglass_admin import commands
from hourglass_admin.exits import EXIT_OK, EXIT_REFUSED, EXIT_UNREACHABLE
from hourglass_thrift import PinLater
from hourglass_thrift.ttypes import ErrorCode, PinLaterException, RequestContext


# The thrift library logs connection failures itself; run() reports them once, with the address.
logging.getLogger("thrift").addHandler(logging.NullHandler())


class StdoutClosed(Exception):
    """The reader of our output went away (`| head`): stop quietly."""


class Output:
    """Results on stdout (human text, or JSON with --json); progress and problems on stderr."""

    def __init__(self, as_json):
        self.as_json = as_json

    def emit(self, text, data):
        try:
            if self.as_json:
                print(json.dumps(data, ensure_ascii=False), flush=True)
            elif text:
                print(text, flush=True)
        except BrokenPipeError:
            raise StdoutClosed()

    @staticmethod
    def note(text):
        print(text, file=sys.stderr, flush=True)


class Session:
    def __init__(self, client, context, out):
        self.client = client
        self.ctx = context
        self.out = out


def connect(host, port, timeout_seconds):
    """A plain Thrift client: framed transport, binary protocol, like every PinLater client."""
    sock = TSocket.TSocket(host, port)
    sock.setTimeout(timeout_seconds * 1000)
    transport = TTransport.TFramedTransport(sock)
    transport.open()
    return transport, PinLater.Client(TBinaryProtocol.TBinaryProtocol(transport))


def run(args):
    out = Output(args.json)
    where = "%s:%d" % (args.host, args.port)
    try:
        # Not a @contextmanager: it would set __traceback__ on the generated exceptions, which
        # Thrift makes immutable, and turn every PinLaterException into a TypeError.
        transport, client = connect(args.host, args.port, args.timeout)
        try:
            session = Session(client, RequestContext(source=args.source), out)
            return commands.BY_NAME[args.command](session, args)
        finally:
            transport.close()
    except PinLaterException as e:
        name = ErrorCode._VALUES_TO_NAMES.get(e.errorCode, "error")
        out.note("hourglass-admin: %s (%s): %s" % (name, e.errorCode, e.message))
        return EXIT_REFUSED
    except TApplicationException as e:
        out.note("hourglass-admin: the server at %s failed the call: %s" % (where, e))
        return EXIT_REFUSED
    except StdoutClosed:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return EXIT_OK
    except (TTransport.TTransportException, OSError) as e:
        out.note("hourglass-admin: cannot talk to the server at %s: %s" % (where, e))
        return EXIT_UNREACHABLE
    except KeyboardInterrupt:
        out.note("hourglass-admin: interrupted")
        return 130
