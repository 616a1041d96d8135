"""pause / resume over the server's authenticated admin HTTP API (the Thrift API has no pause):
GET /api/csrf for the token, then POST /api/pause or /api/resume with HTTP Basic user:password.
Needs only the Python standard library."""
import base64
import getpass
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

from hourglass_admin.exits import EXIT_OK, EXIT_REFUSED, EXIT_UNREACHABLE


def _password():
    password = os.environ.get("HOURGLASS_ADMIN_PASSWORD")
    if password is not None:
        return password
    if sys.stdin.isatty():
        return getpass.getpass("admin password: ")
    return sys.stdin.readline().rstrip("\n")


def run(args):
    base = args.admin_url.rstrip("/")
    try:
        with urllib.request.urlopen(base + "/api/csrf", timeout=args.timeout) as r:
            csrf = r.read().decode("utf-8").strip()
        auth = base64.b64encode(("%s:%s" % (args.user, _password())).encode("utf-8")).decode("ascii")
        body = urllib.parse.urlencode({"queue": args.queue, "csrf": csrf}).encode("ascii")
        request = urllib.request.Request(base + "/api/" + args.command, data=body, method="POST", headers={
            "Authorization": "Basic " + auth, "Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(request, timeout=args.timeout) as r:
            answer = json.loads(r.read().decode("utf-8"))
    except urllib.error.HTTPError as e:
        print("hourglass-admin: %s refused (HTTP %d): %s" % (args.command, e.code, e.read().decode("utf-8", "replace").strip()),
              file=sys.stderr)
        return EXIT_REFUSED
    except (urllib.error.URLError, OSError) as e:
        print("hourglass-admin: cannot reach the admin port at %s: %s" % (base, e), file=sys.stderr)
        return EXIT_UNREACHABLE
    if args.json:
        print(json.dumps(answer))
    else:
        print("%s queue %s" % ("paused" if answer.get("paused") else "resumed", args.queue))
    return EXIT_OK
