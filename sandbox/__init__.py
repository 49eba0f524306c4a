"""Local emulators of the Salesforce REST API and Smartsheet API 2.0.

An outside world: this package never imports the Django apps, and the apps never import
it. Only the ``sandbox`` management command, the test fixtures and the benchmarks start it.
"""
