"""The one domain error every service raises; views and the API turn it into a form error or
a 400/409 JSON answer that names the field."""


class DomainError(Exception):
    def __init__(self, message: str = "", *, field: str | None = None, errors: dict[str, list[str]] | None = None,
                 status: int = 400):
        self.errors: dict[str, list[str]] = dict(errors or {})
        if field and message:
            self.errors.setdefault(field, []).append(message)
        self.message = message or "; ".join(m for msgs in self.errors.values() for m in msgs)
        self.status = status
        super().__init__(self.message)

    def as_list(self) -> list[dict[str, str]]:
        """[{"field": ..., "message": ...}], with field "" for errors of the whole record."""
        if not self.errors:
            return [{"field": "", "message": self.message}]
        return [{"field": f, "message": m} for f, msgs in self.errors.items() for m in msgs]


class FieldErrors:
    """Collects field errors while a service validates, then raises them all at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise DomainError(errors=self.errors)
