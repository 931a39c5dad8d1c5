"""Abuse-test fixtures: the interop suite's plenum server (`server`, and `start_server(args=…, nofile=…)`
for flags and a lowered fd limit), logs under tests/output/abuse/. Each test here replays one attack
from outside — bounded in count and time, loopback only — and asserts what users would notice:
an error code, a host keeping its role, memory and log volume staying bounded."""
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
INTEROP = os.path.join(ROOT, "tests", "interop")
sys.path.insert(0, INTEROP)
os.environ.setdefault("PLENUM_TEST_OUTPUT", os.path.join(ROOT, "tests", "output", "abuse"))
# Memory bounds here measure plenum's own growth. ASan parks freed blocks in a quarantine (256 MB
# by default) that a flood of short-lived replies fills and RSS would count, so it is capped; the
# release build grows by well under 1 MB in the same flood.
_asan = os.environ.get("ASAN_OPTIONS", "detect_leaks=1:halt_on_error=1")
if "quarantine_size_mb" not in _asan:
    os.environ["ASAN_OPTIONS"] = _asan + ":quarantine_size_mb=16"

_spec = importlib.util.spec_from_file_location("interop_conftest", os.path.join(INTEROP, "conftest.py"))
interop_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(interop_conftest)
server = interop_conftest.server              # fixtures shared with tests/interop
start_server = interop_conftest.start_server
Server = interop_conftest.Server
free_port = interop_conftest.free_port
