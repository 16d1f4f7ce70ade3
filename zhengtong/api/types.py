"""Field types every router's schemas share, so that each rule about input is written once."""

from typing import Annotated

from ninja import Field
from pydantic import AfterValidator, BeforeValidator

from zhengtong.core.cleaners import is_storable
from zhengtong.core.ids import MAX_ID


def plain_text(value: str) -> str:
    """Text the databases can store: PostgreSQL refuses NUL, and lone surrogates cannot be encoded."""
    if not is_storable(value):
        raise ValueError("must not contain NUL characters or broken Unicode")
    return value


def not_a_boolean(value):
    """pydantic reads JSON true as 1: an id is a number (or, in a path or query, its digits)."""
    if isinstance(value, bool):
        raise ValueError("must be a whole number, not true or false")
    return value


Text = Annotated[str, AfterValidator(plain_text)]
Id = Annotated[int, BeforeValidator(not_a_boolean), Field(ge=1, le=MAX_ID)]
