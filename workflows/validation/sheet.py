"""Who may sync a sheet (a mixin of the draft checker), as Smartsheet's connector says:

- syncing — creating or editing a workflow, and every run — needs **Editor** access or
  higher on the sheet: runs only add, change and move rows;
- adding columns needs **Admin** access: the connector's own columns (record id and Sync
  Error) on a sheet that has never been synced, and "new column" mappings. A sheet whose
  owned columns are there ("prepared", by its Admin in one click or by an earlier
  workflow) is open to its Editors.

Uses the checker's ``sheet`` (:class:`~workflows.validation.draft.SheetInfo`),
``install_kind``, ``workflow_id`` and ``add(key, message)``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflows.columns import owned_columns_missing, owned_title_choices

#: Smartsheet access levels, lowest first.
ACCESS_RANK = {"VIEWER": 0, "COMMENTER": 0, "EDITOR": 1, "EDITOR_SHARE": 1, "ADMIN": 2,
               "OWNER": 3}
ACCESS_WORDS = {"VIEWER": gettext_lazy("Viewer"), "COMMENTER": gettext_lazy("Commenter"),
                "EDITOR": gettext_lazy("Editor"),
                "EDITOR_SHARE": gettext_lazy("Editor (can share)"),
                "ADMIN": gettext_lazy("Admin"), "OWNER": gettext_lazy("Owner")}


def access_at_least(level: str, wanted: str) -> bool:
    """Whether a Smartsheet access level is ``wanted`` or higher ("" counts as unknown,
    which a caller that read the sheet never sees)."""
    return ACCESS_RANK.get((level or "").upper(), -1) >= ACCESS_RANK[wanted]


def who_can_prepare(admins: tuple[str, ...] | list[str]) -> str:
    """"Ada Lovelace or Bob Chen" — or "the sheet's owner" when nobody is known."""
    names = [n for n in admins if n]
    if not names:
        return _("the sheet's owner")
    if len(names) == 1:
        return names[0]
    return _("%(some)s or %(last)s") % {"some": ", ".join(names[:-1]), "last": names[-1]}


def owned_missing_words(titles: list[str]) -> str:
    """"its Salesforce ID and Sync Error columns" (or the one missing)."""
    quoted = [f"“{t}”" for t in titles]
    if len(quoted) == 1:
        return _("its %(column)s column") % {"column": quoted[0]}
    return _("its %(columns)s columns") % {"columns": _(" and ").join(quoted)}


class SheetChecks:
    def sheet_access(self) -> None:
        """Editor access or higher; on a sheet never synced without Admin access, its
        owned columns must be there already."""
        sheet = self.sheet
        level = (sheet.access_level or "").upper()
        if not level:
            return
        who = who_can_prepare(sheet.admins)
        if not access_at_least(level, "EDITOR"):
            self.add("sheet_id", _(
                "You have %(level)s access to “%(name)s”: syncing a sheet needs Editor access "
                "or higher. Ask %(who)s to share it with you as an Editor.") % {
                    "level": ACCESS_WORDS.get(level, level.title()), "name": sheet.name,
                    "who": who})
            return
        if self.workflow_id is None and not self.may_add_columns():
            missing = owned_columns_missing(sheet.columns, self.install_kind)
            if missing:
                self.add("sheet_id", _(
                    "“%(name)s” is not prepared for syncing: it needs %(columns)s, and adding "
                    "columns needs Admin access to the sheet (you are an Editor). %(who)s can "
                    "prepare it in one click (“Prepare this sheet” in sheetforce), then you "
                    "can sync it.") % {"name": sheet.name,
                                       "columns": owned_missing_words(missing), "who": who})

    def may_add_columns(self) -> bool:
        """Whether the user may add columns to the draft's sheet (a new sheet: yes)."""
        return self.sheet is None or not self.sheet.access_level or access_at_least(
            self.sheet.access_level, "ADMIN")

    def new_column_refusal(self, title: str) -> str:
        return _("adding the column “%(title)s” needs Admin access to “%(name)s” (you are an "
                 "Editor): map an existing column, or ask %(who)s to add it.") % {
                     "title": title, "name": self.sheet.name,
                     "who": who_can_prepare(self.sheet.admins)}

    def owned_title(self, title: str) -> bool:
        """Whether ``title`` is one of the columns the connector owns."""
        owned = {t.lower() for titles in owned_title_choices(self.install_kind) for t in titles}
        return title.strip().lower() in owned
