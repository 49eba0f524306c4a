"""Workflows and their configuration: mappings, filters, row groups.

Sheet, Salesforce object and direction never change after creation: the service layer
(``workflows.services``) enforces it, and so does :meth:`Workflow.save` as a last guard.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from workflows.permissions import owner_pause_reason


class Direction(models.TextChoices):
    TO_SMARTSHEET = "to_smartsheet", _("Salesforce to Smartsheet")
    TO_SALESFORCE = "to_salesforce", _("Smartsheet to Salesforce")
    BIDIRECTIONAL = "bidirectional", _("Bidirectional")


class ConflictPolicy(models.TextChoices):
    SALESFORCE_WINS = "salesforce_wins", _("Salesforce wins")
    SMARTSHEET_WINS = "smartsheet_wins", _("Smartsheet wins")
    NEWEST_WINS = "newest_wins", _("Newest change wins")


class ImmutableFieldError(ValueError):
    """Raised when code tries to change a workflow's sheet, object or direction."""


IMMUTABLE_FIELDS = ("install_id", "sheet_id", "salesforce_object", "direction")


class Workflow(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workflows",
        verbose_name=_("owner"))
    install = models.ForeignKey("connector.Install", on_delete=models.CASCADE, related_name="workflows",
        verbose_name=_("install"))
    name = models.CharField(max_length=200, verbose_name=_("name"))
    direction = models.CharField(max_length=20, choices=Direction.choices,
        verbose_name=_("direction"))
    sheet_id = models.BigIntegerField()
    sheet_name = models.CharField(max_length=255, blank=True, verbose_name=_("sheet"))
    #: The sheet's web address as Smartsheet gives it (``permalink``), stored when the
    #: workflow is created or edited: every page that names the sheet links to it.
    sheet_permalink = models.URLField(max_length=500, blank=True)
    salesforce_object = models.CharField(max_length=100, verbose_name=_("Salesforce object"))
    enabled = models.BooleanField(default=True)
    conflict_policy = models.CharField(
        max_length=20, choices=ConflictPolicy.choices, default=ConflictPolicy.SALESFORCE_WINS,
        verbose_name=_("conflicts"))
    #: None polls at the install's frequency; a value may only be larger.
    polling_interval_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    #: Remove the row when its record leaves the Salesforce filter (off by default).
    remove_rows_on_filter_exit = models.BooleanField(default=False)
    #: Remove the row when its record is deleted in Salesforce (off: mark and unlink).
    remove_rows_on_delete = models.BooleanField(default=False)
    #: Save records that Salesforce's duplicate rules flag (the writes send
    #: ``Sforce-Duplicate-Rule-Header: allowSave=true``); off: a duplicate is a row error.
    allow_duplicates = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("workflow")
        verbose_name_plural = _("workflows")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["enabled", "install"])]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._loaded_immutable = (
            None if self._state.adding else {f: getattr(self, f) for f in IMMUTABLE_FIELDS}
        )

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if self.pk and self._loaded_immutable:
            changed = [
                f for f, v in self._loaded_immutable.items()
                if f in self.__dict__ and getattr(self, f) != v
            ]
            # Renaming a sheet is fine; re-pointing a workflow at another one is not.
            if changed:
                raise ImmutableFieldError(
                    "A workflow's sheet, Salesforce object and direction cannot change "
                    f"after creation (tried to change {', '.join(changed)})."
                )
        super().save(*args, **kwargs)
        self._loaded_immutable = {f: getattr(self, f) for f in IMMUTABLE_FIELDS}

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_immutable = {
            f: getattr(instance, f) for f in IMMUTABLE_FIELDS if f in instance.__dict__
        }
        return instance

    @property
    def paused_reason(self) -> str | None:
        """Why the workflow does not sync although enabled (its owner's account, licence
        or role), or None. Computed: restoring the owner resumes it."""
        return owner_pause_reason(owner=self.owner, install=self.install)


class MappingDirection(models.TextChoices):
    TO_SMARTSHEET = "to_smartsheet", _("Salesforce → Smartsheet")
    TO_SALESFORCE = "to_salesforce", _("Smartsheet → Salesforce")
    BOTH = "both", _("Both ways")


class Mapping(models.Model):
    """One Salesforce field path ⇄ one sheet column."""

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="mappings")
    position = models.PositiveIntegerField(default=0)
    #: A field (``Name``) or a relationship path (``Account.Name``, ``Owner.Email``), or a
    #: computed Service Cloud column (``$time_to_close``...).
    salesforce_field = models.CharField(max_length=255, verbose_name=_("Salesforce field"))
    #: Null until the engine creates a "new column" on the first run.
    column_id = models.BigIntegerField(null=True, blank=True)
    column_title = models.CharField(max_length=255, verbose_name=_("column"))
    new_column = models.BooleanField(default=False)
    direction = models.CharField(max_length=20, choices=MappingDirection.choices,
                                 verbose_name=_("direction"))
    #: For a reference field: the related object's field shown in the sheet (e.g. ``Name``).
    lookup_field = models.CharField(max_length=255, blank=True, verbose_name=_("look up by"))

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workflow", "column_title"], name="one_mapping_per_column"),
        ]

    def __str__(self) -> str:
        return f"{self.salesforce_field} ⇄ {self.column_title}"


class FilterSide(models.TextChoices):
    SALESFORCE = "salesforce", "Salesforce"
    SMARTSHEET = "smartsheet", "Smartsheet"


class FilterOperator(models.TextChoices):
    EQUALS = "equals", _("equals")
    NOT_EQUALS = "not_equals", _("does not equal")
    CONTAINS = "contains", _("contains")
    NOT_CONTAINS = "not_contains", _("does not contain")
    STARTS_WITH = "starts_with", _("starts with")
    IS_BLANK = "is_blank", _("is blank")
    IS_NOT_BLANK = "is_not_blank", _("is not blank")
    GREATER_THAN = "greater_than", _("greater than")
    LESS_THAN = "less_than", _("less than")
    GREATER_OR_EQUAL = "greater_or_equal", _("greater than or equal to")
    LESS_OR_EQUAL = "less_or_equal", _("less than or equal to")
    IS_CHECKED = "is_checked", _("is checked")
    IS_NOT_CHECKED = "is_not_checked", _("is not checked")


#: Operators that take no value.
VALUELESS_OPERATORS = frozenset(
    {FilterOperator.IS_BLANK, FilterOperator.IS_NOT_BLANK, FilterOperator.IS_CHECKED,
     FilterOperator.IS_NOT_CHECKED}
)


class Filter(models.Model):
    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="filters")
    side = models.CharField(max_length=20, choices=FilterSide.choices, verbose_name=_("side"))
    #: A Salesforce field path (side salesforce) or a column title (side smartsheet).
    field = models.CharField(max_length=255, verbose_name=_("field"))
    column_id = models.BigIntegerField(null=True, blank=True)
    operator = models.CharField(max_length=20, choices=FilterOperator.choices,
                                verbose_name=_("condition"))
    value = models.TextField(blank=True, verbose_name=_("value"))
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["side", "position", "id"]

    def __str__(self) -> str:
        return f"{self.field} {self.get_operator_display()} {self.value}".strip()


class RowGroup(models.Model):
    """One level of Smartsheet hierarchy: by a field's value or by a fixed value."""

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="row_groups")
    level = models.PositiveSmallIntegerField(verbose_name=_("level"))
    field = models.CharField(max_length=255, blank=True, verbose_name=_("field"))
    value = models.CharField(max_length=255, blank=True, verbose_name=_("value"))

    class Meta:
        ordering = ["level"]
        constraints = [
            models.UniqueConstraint(fields=["workflow", "level"], name="one_group_per_level"),
            models.CheckConstraint(
                condition=(models.Q(field="") & ~models.Q(value=""))
                | (~models.Q(field="") & models.Q(value="")),
                name="group_by_field_or_value",
            ),
        ]

    def __str__(self) -> str:
        return gettext("Level %(level)s: %(what)s") % {
            "level": self.level, "what": self.field or repr(self.value)}
