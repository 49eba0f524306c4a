"""The workflow wizard (django-oscar's checkout model).

Each step is a view that declares its preconditions (the steps that must be complete
before it); the draft lives in ONE session wrapper (:class:`WizardSession`); nothing is
saved until the last step calls ``workflow_create`` / ``workflow_update``.
"""
