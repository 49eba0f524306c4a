import contextlib
import os

from django.apps import AppConfig
from django.db.backends.signals import connection_created


class SheetforceConfig(AppConfig):
    """The project package as an app: system checks and the commands that start the whole
    product (``demo``, ``sandbox``)."""

    name = "sheetforce"
    verbose_name = "sheetforce"

    def ready(self) -> None:
        # Imported here, not at the top: an app's module may not import models (through
        # checks) before the app registry is ready.
        from sheetforce import checks  # noqa: F401  (registers the system checks)

        connection_created.connect(_owner_only_sqlite_files)


def _owner_only_sqlite_files(sender, connection, **kwargs) -> None:
    """SQLite creates its files with the process umask (often world-readable): the
    database holds encrypted tokens and sign-in data, so it is kept owner-only."""
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    for path in (name, name + "-wal", name + "-shm"):
        with contextlib.suppress(OSError):
            os.chmod(path, 0o600)
