"""Shared pieces of the stand-alone end-to-end scripts (flash_*.py): a tally of
checks that ends with the 'N passed, N failed' line ctest reads, the skip exit
(77, SKIP_RETURN_CODE in tests/CMakeLists.txt), and one scan of an image."""
import json
import subprocess
import sys

passed = 0
failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


def skip(msg):
    print("SKIP:", msg)
    sys.exit(77)


def scan(iotaudit, img, timeout=300):
    """Runs `iotaudit scan IMG --format json`: (exit code, report or None, stderr)."""
    p = subprocess.run([iotaudit, "scan", img, "--format", "json"], capture_output=True,
                       timeout=timeout)
    try:
        doc = json.loads(p.stdout.decode("utf-8", "replace")) if p.stdout else None
    except ValueError:
        doc = None
    return p.returncode, doc, p.stderr.decode("utf-8", "replace")


def finish():
    """Prints the closing line; returns the exit status."""
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0
