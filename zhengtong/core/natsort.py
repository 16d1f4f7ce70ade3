"""Names sorted as people count: 一监区, 二监区, …, 十监区, 十一监区 and 2号楼 before 10号楼.

``natural_key(text)`` is a text in which every number, in Arabic digits or in Chinese numerals
(零〇一二三四五六七八九十百千, e.g. 十一, 二十三, 一百零五, 一〇五), is written as twelve Arabic digits,
so that comparing the keys as plain text (Python's ``str`` order, a database's byte or code-point
collation such as PostgreSQL's ``C.UTF-8``) orders the names by their numbers. Python lists sort
with ``key=natural_key``; a table sorted in the database stores the key in a column (``Site.name_key``).
"""

import re

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
WIDTH = 12
KEY_LENGTH = 255  # the stored key's column length; longer keys are cut (the order of their first 255 characters)

_NUMBER_RE = re.compile(r"[0-9]+|[零〇一二三四五六七八九十百千]+")


def chinese_number(text: str) -> int | None:
    """The value of a run of Chinese numerals: 十一 = 11, 二十 = 20, 一百零五 = 105, 一〇五 = 105 (read
    digit by digit when it has no 十, 百 or 千); None for a run that is no number (十十, 百千)."""
    if not any(ch in UNITS for ch in text):
        return int("".join(str(DIGITS[ch]) for ch in text))
    total, digit, last_unit = 0, None, 10_000
    for ch in text:
        if ch in DIGITS:
            if digit is not None and DIGITS[ch] != 0 and digit != 0:
                return None  # 二三十: two digits in a row before a unit
            digit = DIGITS[ch]
        else:
            unit = UNITS[ch]
            if unit >= last_unit:
                return None  # 十十, 十百: units must fall
            total += (digit if digit else 1) * unit
            digit, last_unit = None, unit
    return total + (digit or 0)


def _number(match: re.Match[str]) -> str:
    run = match.group(0)
    value = int(run) if run[0].isascii() else chinese_number(run)
    if value is None:
        return run
    return str(value).zfill(WIDTH)


def natural_key(text: str | None) -> str:
    """The text with each number as twelve digits, to sort names as people count (see above)."""
    return _NUMBER_RE.sub(_number, text or "")[:KEY_LENGTH]
