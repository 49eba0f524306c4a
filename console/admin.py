"""The admin console: Django's admin autodiscovery imports this module, which registers
every model admin (one module per domain app)."""

from console import accounts, connector, runs  # noqa: F401  (registers the model admins)
