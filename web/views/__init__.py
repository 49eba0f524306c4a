"""Views of the HTML interface, one module per page family. Thin: they call services."""
