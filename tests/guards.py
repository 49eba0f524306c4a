"""Guards for tests of input-driven hot spots: a slow path fails the test instead of
holding CI for hours. Not a timing measure (speed is measured by ``python -m bench``): the
limit is generous, the paths it guards against take minutes to hours."""

from __future__ import annotations

import signal
from contextlib import contextmanager


@contextmanager
def must_not_hang(seconds: int = 5):
    """Fail (instead of hanging CI for hours) if the block runs into a slow path."""

    def alarm(signum, frame):
        raise AssertionError(f"still running after {seconds} s: a slow path was taken")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
