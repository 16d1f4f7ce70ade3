"""What every router's schemas share, so that each rule about API input is written once: the
field types (``Text``, ``Id``), the bases of request bodies (``In``) and query filters
(``Filters``), and the list endpoints' pagination (``Pagination``)."""

from typing import Annotated, Any

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import AfterValidator, BeforeValidator, ConfigDict

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


def not_a_boolean(value):
    """pydantic reads JSON true as 1: an id is a number (or, in a path or query, its digits)."""
    if isinstance(value, bool):
        raise ValueError(_("Give a whole number, not true or false."))
    return value


Text = Annotated[str, AfterValidator(plain_text)]
Id = Annotated[int, BeforeValidator(not_a_boolean), Field(ge=1, le=MAX_ID)]


class In(Schema):
    """Base of every request body: unknown fields are an error (a misspelt field in a PATCH
    would otherwise be ignored without a word), numbers are taken where a code is expected."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)


class Filters(Schema):
    """Base of a list's query filters: numbers are taken where a code is expected."""

    model_config = ConfigDict(coerce_numbers_to_str=True)


class Pagination(LimitOffsetPagination):
    """``limit`` (1–500, default settings.PAGE_SIZE) and ``offset``; answers ``{items, count}``."""

    class Input(Schema):
        limit: int = Field(settings.PAGE_SIZE, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)
