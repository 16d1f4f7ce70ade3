"""Valid codes for tests: one generator of unified social credit codes and one of resident ID
numbers, both valid per stdnum and unique within a run (a counter per process; each xdist
worker is its own process, and its own database)."""

import itertools
from datetime import date, timedelta

from stdnum.cn import ric, uscc

HENGNAN = "430422"  # 衡南县
HENGYANG_COUNTY = "430421"  # 衡阳县
CITY = "430400"  # 衡阳市

_seq = itertools.count(1)
_BIRTHS = 7300  # days from 1985-01-01: adults born 1985–2004, when every county code was in use


def make_uscc(county: str = HENGNAN, kind: str = "91", *, n: int | None = None) -> str:
    """A valid code of a unit registered in ``county``: each call another one; with ``n``, the n-th
    of a series of its own (the same code every time), for a test that names one code twice."""
    body = f"{kind}{county}MA{next(_seq):07d}" if n is None else f"{kind}{county}MA4R{n:05d}"
    return body + uscc.calc_check_digit(body)


def make_id_number(county: str = HENGNAN, birth: str | None = None) -> str:
    """A valid number from the fake pool (sequence 990–999), each call another one; without
    ``birth``, each with a birth date of its own (for 7,300 calls; then the next sequence)."""
    n = next(_seq)
    if birth is None:
        birth = (date(1985, 1, 1) + timedelta(days=n % _BIRTHS)).strftime("%Y%m%d")
        sequence = 990 + (n // _BIRTHS) % 10
    else:
        sequence = 990 + n % 10
    body = f"{county}{birth}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")
