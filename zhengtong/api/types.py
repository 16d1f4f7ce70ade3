"""Field types every router's schemas share, so that each rule about input is written once."""

from typing import Annotated

from ninja import Field
from pydantic import AfterValidator

MAX_ID = 2**63 - 1  # the largest id PostgreSQL and SQLite hold; a larger one would be a 500


def plain_text(value: str) -> str:
    """Text the databases can store: PostgreSQL refuses NUL, and lone surrogates cannot be encoded."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("is not valid Unicode text") from None
    return value


Text = Annotated[str, AfterValidator(plain_text)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
