"""A local certificate authority and server certificate for the Salesforce emulator.

simple-salesforce always speaks ``https://``, so the emulator serves TLS. The CA is made
once and kept under the state directory, so a client that stored the CA bundle keeps
trusting the sandbox across restarts.
"""

from __future__ import annotations

import ssl
from pathlib import Path

import trustme


def load_or_create_ca(directory: Path) -> trustme.CA:
    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / "ca.pem", directory / "ca-key.pem"
    if cert_path.exists() and key_path.exists():
        return trustme.CA.from_pem(cert_path.read_bytes(), key_path.read_bytes())
    ca = trustme.CA(organization_name="sheetforce sandbox")
    key_path.write_bytes(ca.private_key_pem.bytes())
    key_path.chmod(0o600)
    cert_path.write_bytes(ca.cert_pem.bytes())
    return ca


def server_context(ca: trustme.CA, host: str) -> ssl.SSLContext:
    """An SSL context serving a certificate for ``host``, localhost and 127.0.0.1."""
    names = sorted({host, "localhost", "127.0.0.1"})
    cert = ca.issue_cert(*names)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    return context
