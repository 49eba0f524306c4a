"""Every model field the console shows is labelled in the person's language: its
verbose name is marked for translation (a field without one shows its English name)."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.utils.functional import Promise

OUR_APPS = {"accounts", "audit", "connector", "workflows", "runs"}


def shown_field_names(model_admin) -> set[str]:
    names: set[str] = set()
    for attr in ("list_display", "list_filter", "readonly_fields", "fields", "search_fields"):
        for item in getattr(model_admin, attr, None) or ():
            item = item[0] if isinstance(item, tuple | list) else item
            if isinstance(item, str):
                names.add(item.split("__")[0])
    for _, options in getattr(model_admin, "fieldsets", None) or ():
        for item in options.get("fields", ()):
            names.update(item if isinstance(item, tuple | list) else [item])
    return names


def shown_admins():
    """Each model admin of ours and each of its inlines (their tables' columns)."""
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in OUR_APPS:
            yield model, model_admin
            for inline in model_admin.inlines:
                yield inline.model, inline


def test_every_field_the_console_shows_has_a_translated_label():
    unlabelled = []
    for model, model_admin in shown_admins():
        # A form may label a field itself (translated) — or take the model's name for it.
        form_labels = {name for name, field in getattr(
            model_admin.form, "base_fields", {}).items() if isinstance(field.label, Promise)}
        for name in sorted(shown_field_names(model_admin) - form_labels):
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue  # a method with its own (translated) description
            if hasattr(field, "verbose_name") and not isinstance(field.verbose_name, Promise):
                unlabelled.append(f"{model.__name__}.{name}: {field.verbose_name!r}")
    assert unlabelled == []


def test_every_model_the_console_lists_is_named_in_the_persons_language():
    unnamed = [
        f"{model.__name__}: {model._meta.verbose_name_plural!r}"
        for model in admin.site._registry
        # Django's default plural is the singular plus "s", in English whatever the language.
        if model._meta.app_label in OUR_APPS and not (
            isinstance(model._meta.verbose_name, Promise)
            and "verbose_name_plural" in model._meta.original_attrs)]
    assert unnamed == []


def test_every_inline_table_is_titled_in_the_persons_language():
    untitled = [f"{inline.__name__}: {inline.model._meta.verbose_name_plural!r}"
                for model, model_admin in admin.site._registry.items()
                if model._meta.app_label in OUR_APPS
                for inline in model_admin.inlines
                if not (isinstance(inline.verbose_name_plural, Promise)
                        or "verbose_name_plural" in inline.model._meta.original_attrs)]
    assert untitled == []
