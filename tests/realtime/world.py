"""Where the real-time world used to live: ``bench/realtime.py`` still imports it from
here. The helpers are in tests/runs/realtime/world.py; this module goes once the
benchmark imports them from there."""

from __future__ import annotations

from tests.runs.realtime.world import account_workflow, connected_alice

__all__ = ["account_workflow", "connected_alice"]
