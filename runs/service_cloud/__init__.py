"""Service Cloud: computed case columns (time to close, age, SLA) and the service report."""
