"""The shared library every app may use and that uses no app: domain errors with field errors,
cleaners, the audit-record helper, id bounds, form glue, the working-day calendar, the
state-machine helper and the API schemas' shared input types and pagination (docs/architecture.md)."""
