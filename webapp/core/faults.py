"""Fault injection for tests: make the process die at a named point, as a crash (kill -9) would.

``LOKET_FAULT`` names the point (for example ``after_call_commit``, right after a counter's call
is committed and before it is answered and announced: tests/test_counter_crash.py). Unset, or
naming another point, ``fault_point`` does nothing; never set it in production. It is read here,
at each point, and nowhere else, so a test can start a server process with it and restart the
same code without it.
"""

from __future__ import annotations

import os
import sys

FAULT_ENV = "LOKET_FAULT"
FAULT_EXIT_CODE = 75  # what the crashed process exits with, for a test to recognise


def fault_point(name: str) -> None:
    """Exit the process at once (no cleanup, no answer) when ``LOKET_FAULT`` names this point."""
    if os.environ.get(FAULT_ENV) == name:
        sys.stderr.write(f"{FAULT_ENV}={name}: the process exits here on purpose\n")
        sys.stderr.flush()
        os._exit(FAULT_EXIT_CODE)
