"""Template filters for the words of runs."""

from __future__ import annotations

from django import template

from runs.models import run_phase_label

register = template.Library()


@register.filter
def phase_label(phase: str) -> str:
    """A run's phase code as the page's language says it."""
    return run_phase_label(phase or "")
