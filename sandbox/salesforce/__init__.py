"""The Salesforce REST API emulator of the sandbox (see :mod:`sandbox.runner`)."""

from __future__ import annotations

from sandbox.salesforce.emulator import SalesforceEmulator

__all__ = ["SalesforceEmulator"]
