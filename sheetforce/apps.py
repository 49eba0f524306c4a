from django.apps import AppConfig


class SheetforceConfig(AppConfig):
    """The project package as an app: system checks and the commands that start the whole
    product (``demo``, ``sandbox``)."""

    name = "sheetforce"
    verbose_name = "sheetforce"

    def ready(self) -> None:
        from sheetforce import checks  # noqa: F401  (registers the system checks)
