"""Emulator of Smartsheet API 2.0 that the unmodified smartsheet-python-sdk talks to."""

from __future__ import annotations

from .emulator import SmartsheetEmulator

__all__ = ["SmartsheetEmulator"]
