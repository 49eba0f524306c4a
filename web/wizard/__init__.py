"""The workflow wizard (django-oscar's checkout model).

Six steps — Settings, Fields, Filters, Row groups (not for Smartsheet to Salesforce),
Options, Save. Each step is a view that declares its preconditions (the steps before it
must be complete); the draft lives in ONE session wrapper (:class:`WizardSession`); every
POST stores what was entered and answers with a redirect; the whole draft is validated at
every step (``WizardStepView.validate_all``) and the user sent to the first step that
needs attention; nothing is saved until the last step calls ``runs.services.workflow_save``.
"""
