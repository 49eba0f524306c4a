"""Is a sheet ready to sync, and preparing it: the connector's own columns added by a
sheet Admin, so that its Editors can then build workflows on it (see
``workflows.validation.sheet`` for the rule)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils import translation
from django.utils.translation import gettext as _

from workflows.columns import owned_column_specs, owned_columns_missing
from workflows.metadata import Metadata
from workflows.permissions import user_can_create_workflows
from workflows.validation.sheet import ACCESS_WORDS, access_at_least, who_can_prepare

if TYPE_CHECKING:
    from accounts.models import User
    from connector.models import Install

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SheetReadiness:
    """One sheet as one user may sync it."""

    id: int
    name: str
    access_level: str
    permalink: str
    #: Owned columns the sheet still lacks (titles).
    missing_columns: tuple[str, ...]
    #: Who can add them: the owner's and admins' names (empty: unknown).
    admins: tuple[str, ...] = ()

    @property
    def can_sync(self) -> bool:
        """Editor access or higher."""
        return access_at_least(self.access_level, "EDITOR")

    @property
    def can_add_columns(self) -> bool:
        return access_at_least(self.access_level, "ADMIN")

    @property
    def prepared(self) -> bool:
        return not self.missing_columns

    @property
    def ready(self) -> bool:
        """Whether this user can start syncing it now (the first run adds the owned
        columns itself when the user may add columns)."""
        return self.can_sync and (self.prepared or self.can_add_columns)

    @property
    def access_words(self) -> str:
        return str(ACCESS_WORDS.get(self.access_level.upper(), self.access_level.title()))

    @property
    def who_can_prepare(self) -> str:
        return who_can_prepare(self.admins)


def _owned_columns_missing(columns, install: Install) -> list[str]:
    # Titles as the install's sheets carry them (runs write in the install's language).
    with translation.override(install.language or "en"):
        return owned_columns_missing(columns, install.kind)


def sheet_readiness(*, user: User, install: Install, sheet_id: int,
                    meta: Metadata | None = None) -> SheetReadiness | None:
    """Whether ``user`` can sync the sheet, and what it lacks; None when the sheet is not
    there or not shared with them. Reads through the user's own connection (the sheet's
    shares only when someone else must act). ``ClientError`` and ``ConnectionMissing``
    pass through."""
    meta = meta or Metadata(user=user, install=install)
    sheet = meta.sheet(int(sheet_id))
    if sheet is None:
        return None
    readiness = SheetReadiness(
        id=sheet.id, name=sheet.name, access_level=sheet.access_level,
        permalink=sheet.permalink,
        missing_columns=tuple(_owned_columns_missing(sheet.columns, install)))
    if not readiness.ready:
        readiness = SheetReadiness(**{**readiness.__dict__,
                                      "admins": meta.sheet_admins(sheet.id)})
    return readiness


def sheet_prepare(*, user: User, install: Install, sheet_id: int) -> list[str]:
    """Add the connector's own columns (record id, Sync Error) to a sheet, through the
    user's own Smartsheet connection; return the titles added (none when it was ready).

    Needs Admin access to the sheet (adding columns) and the right to create workflows
    on ``install``; raises ``PermissionDenied`` with a message saying who can, and
    ``Workflow``-free: no workflow is created. The first run of any workflow on the sheet
    finds the columns by title and tracks them by id from then on.
    """
    allowed, why = user_can_create_workflows(user=user, install=install)
    if not allowed:
        raise PermissionDenied(why)
    meta = Metadata(user=user, install=install)
    readiness = sheet_readiness(user=user, install=install, sheet_id=sheet_id, meta=meta)
    if readiness is None:
        raise PermissionDenied(_("That sheet does not exist or is not shared with you."))
    if readiness.prepared:
        return []
    if not readiness.can_add_columns:
        raise PermissionDenied(_(
            "Preparing “%(name)s” adds columns, which needs Admin access to the sheet (you "
            "have %(level)s access). Ask %(who)s.") % {
                "name": readiness.name, "level": readiness.access_words,
                "who": readiness.who_can_prepare})
    columns = meta.smartsheet().list_columns(readiness.id)
    # The sheet gets the titles in the install's language, as runs write them.
    with translation.override(install.language or "en"):
        specs = owned_column_specs(install.kind)
    wanted = [c for c in specs if c["title"] in readiness.missing_columns]
    for offset, column in enumerate(wanted):
        column["index"] = len(columns) + offset
    added = meta.smartsheet().add_columns(readiness.id, wanted)
    log.info("sheet %s prepared by user %s (%s)", readiness.id, user.pk,
             ", ".join(c["title"] for c in wanted))
    return [c.get("title", "") for c in added]
