"""Python stubs generated from our IDL with the Thrift compiler, on first use.

The stubs live in scripts/gen-py/ (git-ignored; HOURGLASS_ADMIN_GEN_DIR overrides it, e.g. for a
read-only checkout). They are regenerated whenever the IDL's content differs from the one they
were generated from (its SHA-256 is kept next to them), so editing or updating the IDL is picked
up by the next command. A lock file makes concurrent first runs generate once.
"""
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

SCRIPTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IDL = os.path.join(os.path.dirname(SCRIPTS_DIR), "thrift", "src", "main", "thrift", "hourglass.thrift")
PACKAGE = "hourglass_thrift"  # the IDL's `namespace py`
STAMP = ".idl-sha256"


class ToolMissing(Exception):
    """Something this machine lacks; the message says which Debian package provides it."""


def load():
    """Makes `import hourglass_thrift` work, generating or refreshing the stubs if needed."""
    try:
        # thrift.Thrift, not just thrift: a folder named thrift on the path (the repository's own
        # IDL folder, from its root) imports as an empty namespace package.
        import thrift.Thrift  # noqa: F401  (only checks the runtime library is there)
    except ImportError:
        raise ToolMissing("Python's thrift module is missing for %s: install Debian package "
                          "python3-thrift (scripts/ensure-tools does)" % sys.executable)
    gen_dir = os.environ.get("HOURGLASS_ADMIN_GEN_DIR") or os.path.join(SCRIPTS_DIR, "gen-py")
    ensure(gen_dir)
    if gen_dir not in sys.path:
        sys.path.insert(0, gen_dir)


def ensure(gen_dir):
    package_dir = os.path.join(gen_dir, PACKAGE)
    if not os.path.isfile(IDL):
        if os.path.isdir(package_dir):
            return  # scripts copied without the repository: use the stubs they came with
        raise ToolMissing("cannot find the IDL at %s to generate the Python stubs from" % IDL)
    digest = _sha256(IDL)
    os.makedirs(gen_dir, exist_ok=True)
    with open(os.path.join(gen_dir, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stamp = os.path.join(gen_dir, STAMP)
        if os.path.isdir(package_dir) and _read(stamp) == digest:
            return
        _generate(gen_dir, package_dir)
        with open(stamp, "w") as f:
            f.write(digest + "\n")


def _generate(gen_dir, package_dir):
    tmp = tempfile.mkdtemp(prefix=".generating-", dir=gen_dir)
    try:
        try:
            result = subprocess.run(["thrift", "--gen", "py", "-out", tmp, IDL],
                                    capture_output=True, text=True)
        except FileNotFoundError:
            raise ToolMissing("the Thrift compiler `thrift` is missing: install Debian package "
                              "thrift-compiler (scripts/ensure-tools does)")
        if result.returncode != 0:
            raise ToolMissing("thrift --gen py %s failed:\n%s%s" % (IDL, result.stdout, result.stderr))
        shutil.rmtree(package_dir, ignore_errors=True)
        os.rename(os.path.join(tmp, PACKAGE), package_dir)
        print("hourglass-admin: generated Python stubs from %s into %s" % (IDL, gen_dir), file=sys.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except FileNotFoundError:
        return None
