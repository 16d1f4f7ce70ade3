"""The shared library every app may use and that uses no app: domain errors with field errors,
cleaners, the audit-record helper, id bounds, form glue, the working-day calendar and the
state-machine helper (docs/architecture.md)."""
