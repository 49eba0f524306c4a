"""The engine's collector pause leaves the collector as it found it."""

from __future__ import annotations

import gc

import pytest

from runs.engine.gcpause import gc_paused


def test_it_pauses_and_restores_the_collector_even_on_errors():
    assert gc.isenabled()
    with pytest.raises(RuntimeError), gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block keeps the outer pause
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_it_leaves_a_disabled_collector_disabled():
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
