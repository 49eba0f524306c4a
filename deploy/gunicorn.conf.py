"""gunicorn settings for sheetforce: ``gunicorn -c deploy/gunicorn.conf.py sheetforce.wsgi:application``.

Read from the environment (the same env file as the rest of the deployment):

- ``WEB_CONCURRENCY``: worker processes (default: 2 per CPU core plus one, at most 8).
- ``SHEETFORCE_BIND``: where to listen (default ``127.0.0.1:8000``: behind a reverse
  proxy on the same host; several addresses separated by commas).
- ``LOG_FORMAT`` / ``LOG_LEVEL``: as for the application; ``json`` makes gunicorn's own
  error and access lines JSON too.

The access log leaves out query strings: OAuth callbacks carry authorization codes there.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # a checkout run without `pip install .`
    sys.path.insert(0, str(ROOT))

from core.logs import FORMATS, JsonFormatter  # noqa: E402


def _workers() -> int:
    raw = os.environ.get("WEB_CONCURRENCY", "").strip()
    if not raw:
        return min(2 * multiprocessing.cpu_count() + 1, 8)
    if not raw.isdigit() or int(raw) < 1:
        raise SystemExit(f"WEB_CONCURRENCY must be a positive integer, not {raw!r}")
    return int(raw)


wsgi_app = "sheetforce.wsgi:application"
chdir = str(ROOT)
bind = [a.strip() for a in os.environ.get("SHEETFORCE_BIND", "127.0.0.1:8000").split(",")
        if a.strip()]
workers = _workers()
worker_class = "sync"
# Pages that talk to Salesforce or Smartsheet (the wizard's pickers) wait on outgoing
# calls of up to HTTP_TIMEOUT_SECONDS (60 s); give them room before the worker is killed.
timeout = 120
graceful_timeout = 30
keepalive = 5
# systemd starts, reloads (HUP) and stops it: no control socket (gunicorn 25.1+ would
# make one under $HOME, which the units keep read-only).
control_socket_disable = True
# Recycle workers now and then, staggered, to bound any slow growth in memory.
max_requests = 2000
max_requests_jitter = 200
# gunicorn trusts X-Forwarded-* from loopback only (its default; its own variable
# FORWARDED_ALLOW_IPS widens that): the proxy runs on this host.

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "INFO").lower()
# %(U)s is the path without its query string.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(D)sus "%(a)s"'



def on_starting(server) -> None:
    """Refuse to serve on a configuration the system checks reject (a placeholder
    SECRET_KEY, a bad FIELD_ENCRYPTION_KEY...), as qcluster and listen_changes do.
    Warnings go to gunicorn's log as one record."""
    import io

    import django
    from django.core.management import call_command

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sheetforce.settings")
    django.setup()
    out = io.StringIO()
    call_command("check", deploy=True, fail_level="ERROR", stdout=out, stderr=out)
    if "System check identified some issues" in out.getvalue():
        server.log.warning(out.getvalue().strip())


_log_format = os.environ.get("LOG_FORMAT", "plain")
if _log_format not in FORMATS:
    raise SystemExit(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {_log_format!r}")
if _log_format == "json":
    _handler = {"class": "logging.StreamHandler", "formatter": "json",
                "stream": "ext://sys.stdout"}
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"console": _handler},
        "loggers": {
            "gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(),
                               "propagate": False},
            "gunicorn.access": {"handlers": ["console"], "level": "INFO",
                                "propagate": False},
        },
    }
