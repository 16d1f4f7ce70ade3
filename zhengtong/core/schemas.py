"""What every router's schemas share, so that each rule about API input is written once: the
field types (``Text``, ``Name``, ``Id``, ``TextOrNumber``, ``IsoDate``), the bases of request bodies (``In``, and
``Patch`` for bodies that change some fields) and query filters (``Filters``), and the list
endpoints' pagination (``Pagination``).

The OpenAPI document says what these accept, so that a client generated from it (and schemathesis,
in the suite) meets no refusal the document does not announce: an id's ``minimum`` and ``maximum``,
a text's ``pattern`` (no control character) and, where empty is refused, its ``minLength``; a text
field refuses a number (strict strings) and a field of a ``Patch`` may be left out but is not null
unless it says so. What JSON Schema cannot say (a USCC's check character, a county code of this city)
is the services' 400, naming the field."""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from ninja.schema import DjangoGetter
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    ModelWrapValidatorHandler,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)

from zhengtong.core.cleaners import is_storable
from zhengtong.core.ids import MAX_ID

MAX_LIMIT = 500
MAX_OFFSET = 1_000_000_000  # far beyond any table here, and within every database's OFFSET range


def plain_text(value: str) -> str:
    """Text the databases can store (core.cleaners.is_storable: PostgreSQL refuses NUL, lone surrogates
    cannot be encoded). Refused here, naming the field, with clean_text's message in the caller's
    language, rather than letting PostgreSQL fail with a 500."""
    if not is_storable(value):
        raise ValueError(_("Contains a character that cannot be stored (a control or broken character)."))
    return value


def whole_number(value):
    """An integer as JSON Schema reads one: not true or false (pydantic reads JSON true as 1), and in a
    path or a query any spelling of a whole number ("12", "1.2e1", "1e+16" as a client serialises a
    large one); "1.5" is not one. Anything else goes on to pydantic, which names the field."""
    if isinstance(value, bool):
        raise ValueError(_("Give a whole number, not true or false."))
    if isinstance(value, str) and not value.strip().lstrip("+-").isdigit():
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return value
        # Only a number of a size an id or a count can have: "1e999999999" is never made an integer.
        if number.is_finite() and number.adjusted() < 20 and number == number.to_integral_value():
            return int(number)
    return value


def number_as_text(value):
    """A number where a text may be a number (a temperature): its text. true and false are not numbers."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


# core.cleaners.CONTROL_RE as the document says it (ECMA-262, as JSON Schema reads a pattern).
TEXT_PATTERN = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$"

_NO_CONTROL = Field(json_schema_extra={"pattern": TEXT_PATTERN})
Text = Annotated[str, AfterValidator(plain_text), _NO_CONTROL]
# Text that may not be empty (a name, a code): the document says minLength 1, and "" is refused naming the
# field (422, "This field is required."). Text of spaces only is the services' 400, as on the pages.
Name = Annotated[str, Field(min_length=1), AfterValidator(plain_text), _NO_CONTROL]
# The constraints before the validator, so that the document says minimum and maximum (pydantic writes
# constraints it cannot put in the core schema as "ge" and "le", which JSON Schema does not know).
Id = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(whole_number)]
# Text, or a number taken as its text (a temperature a device sends as 36.5).
TextOrNumber = Annotated[str, AfterValidator(plain_text), BeforeValidator(number_as_text), WithJsonSchema(
    {"anyOf": [{"type": "string", "pattern": TEXT_PATTERN}, {"type": "number"}]})]


def iso_date(value):
    """A date as the document says one (``format: date``, YYYY-MM-DD): pydantic would also read a number
    as a Unix time (0 is 1970-01-01) and a date-time of midnight as its day."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    raise ValueError(_("Enter a date as YYYY-MM-DD."))


IsoDate = Annotated[date, BeforeValidator(iso_date)]


# true or false in a body, nothing else (pydantic would read 0, 1, "yes" as one, which the document does not say).
Flag = Annotated[bool, Field(strict=True)]


class In(Schema):
    """Base of every request body: unknown fields are an error (a misspelt field in a PATCH
    would otherwise be ignored without a word), and a text field takes text only, not a number
    (the document says ``string``; ``TextOrNumber`` where a number is welcome)."""

    model_config = ConfigDict(extra="forbid")


def _no_null_defaults(schema: dict[str, Any]) -> None:
    """A Patch's fields default to None only so that a field left out can be told from one sent: the
    document shows no default for them (a client must not send the null that the type refuses)."""
    for prop in schema.get("properties", {}).values():
        if prop.get("default", "") is None and "anyOf" not in prop:
            del prop["default"]


class Patch(In):
    """Base of a body that changes some fields (PATCH): each field may be left out, and is then kept.

    Declare a field as ``name: Name = None``: sent, it must be of its type (null is refused, 422);
    ``capacity: Capacity | None = None`` where null means "none" and is taken."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_no_null_defaults)


class Filters(Schema):
    """Base of a list's query filters (a query's values are all text)."""

    def as_detail(self) -> str:
        """The filters set, as an access record's detail (``status=active; q=张``)."""
        return "; ".join(f"{k}={v}" for k, v in self.dict(exclude_none=True).items())


class Out(Schema):
    """Base of an answer that a view builds as plain dicts (a trace's contacts, the caller's roles):
    pydantic validates a dict itself. ninja's Schema wraps every object it validates, dicts included,
    in a ``DjangoGetter`` that reads each field in Python (for resolvers, related managers and model
    instances), some ten calls a field; an object that is not a dict, or a schema with resolvers, still
    goes that way. A dict's values are taken as they are: no callable or queryset in them."""

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values: Any, handler: ModelWrapValidatorHandler[Any], info: ValidationInfo) -> Any:
        if type(values) is dict and not cls._ninja_resolvers:
            return handler(values)
        if cls.model_config.get("extra") == "forbid" or cls.model_config.get("validate_assignment", False):
            handler(values)  # as ninja's Schema does
        return handler(DjangoGetter(values, cls, info.context))


def codes_of(choices) -> Any:
    """The codes of a model's choices as a plain string enum (an Enum type would be one shared
    OpenAPI component per class name, and Application.Status and Permit.Status are both "Status").
    Declare the alias as ``str`` for mypy under ``TYPE_CHECKING``."""
    from typing import Literal

    return Literal[tuple(choices.values)]


class Pagination(LimitOffsetPagination):
    """``limit`` (1–500, default settings.PAGE_SIZE) and ``offset``; answers ``{items, count}``."""

    class Input(Schema):
        limit: Annotated[int, Field(ge=1, le=MAX_LIMIT), BeforeValidator(whole_number)] = settings.PAGE_SIZE
        offset: Annotated[int, Field(ge=0, le=MAX_OFFSET), BeforeValidator(whole_number)] = 0

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)
