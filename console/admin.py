"""The admin console: Django's admin autodiscovery imports this module, which registers
every model admin (one module per subject)."""

from console import (  # noqa: F401  (registers the model admins)
    accounts,
    audit,
    connections,
    installs,
    runs,
    tokens,
    workflows,
)
