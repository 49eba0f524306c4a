from django.apps import AppConfig


class WebConfig(AppConfig):
    """The HTML interface. Rightmost app: it may import every other app."""

    name = "web"
    verbose_name = "Web interface"
