"""Logging: the run context, the JSON formatter and the one LOGGING dict of the project.

``LOG_FORMAT=json`` prints one JSON object per line: ``time`` (UTC, ISO 8601), ``level``,
``logger``, ``message`` and, inside a run, ``workflow`` and ``run`` (the ids put in the
context by :func:`log_context` and copied onto each record by :class:`RunContextFilter`),
plus ``exception`` when a traceback was logged. Nothing else of a record is written: a
log call's extra attributes never reach the output, so no field can carry a token that
a message does not.

Imports no app and no Django settings: ``deploy/gunicorn.conf.py`` uses it before Django
is set up.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime

#: Ids describing the work in progress (``workflow``, ``run``); a fresh dict per context.
_context: contextvars.ContextVar[dict[str, int]] = contextvars.ContextVar("sheetforce_log")

CONTEXT_FIELDS = ("workflow", "run")
FORMATS = ("plain", "json")
PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


@contextlib.contextmanager
def log_context(**ids: int | None) -> Iterator[dict[str, int]]:
    """Within the block, every log record of this thread (or task) carries ``ids``.

    Yields the context's own dict: a caller that learns an id later (the workflow of a
    run, once claimed) may add it there; it is dropped when the block ends. Threads
    started inside do not inherit it (Python copies contexts only into asyncio tasks).
    """
    values = {**_context.get({}), **{k: v for k, v in ids.items() if v is not None}}
    token = _context.set(values)
    try:
        yield values
    finally:
        _context.reset(token)


class RunContextFilter(logging.Filter):
    """Copies the ids of :func:`log_context` onto each record (``record.workflow``,
    ``record.run``). Attach it to handlers: a logger's filter sees only that logger."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in _context.get({}).items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line (see the module docstring)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if isinstance(value, int):
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)


def logging_config(*, level: str = "INFO", fmt: str = "plain") -> dict:
    """The ``LOGGING`` dict: one console handler (stderr) in ``fmt`` at ``level``.

    urllib3 stays at WARNING whatever ``level`` says (at DEBUG it prints every request
    line). The Smartsheet SDK logs request lines at INFO and bodies at DEBUG: sheet
    data, never a token (tests/ops/test_json_logs.py greps a whole sync for them).
    """
    if fmt not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {fmt!r}")
    formatter = ({"()": "core.logs.JsonFormatter"} if fmt == "json"
                 else {"format": PLAIN_FORMAT})
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"run_context": {"()": "core.logs.RunContextFilter"}},
        "formatters": {"default": formatter},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "default",
                                 "filters": ["run_context"]}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "werkzeug": {"level": "ERROR"},
            "urllib3": {"level": "WARNING"},
            # django-q2 adds a handler of its own unless its logger already has one.
            "django-q": {"handlers": ["console"], "propagate": False},
        },
    }
