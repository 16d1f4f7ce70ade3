"""Money as documents print it: an amount of 人民币 in capitals (大写), as receipts and decisions
write it beside the figures (财务大写 usage)."""

from decimal import Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ("", "拾", "佰", "仟")
BIG_UNITS = ("", "万", "亿", "万亿")


def _four(n: int) -> str:
    out, zero = "", False
    for i in range(3, -1, -1):
        d = n // 10 ** i % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += DIGITS[d] + SMALL_UNITS[i]
    return out


def amount_in_words(amount: Decimal) -> str:
    """人民币 amount in capitals: 100000 → 壹拾万元整; 12345.67 → 壹万贰仟叁佰肆拾伍元陆角柒分."""
    fen = int((amount * 100).to_integral_value())
    yuan, jiao, cents = fen // 100, fen // 10 % 10, fen % 10
    groups, text = [], ""
    while yuan:
        groups.append(yuan % 10000)
        yuan //= 10000
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g == 0:
            if text and not text.endswith("零"):
                text += "零"
            continue
        if text and g < 1000 and not text.endswith("零"):
            text += "零"
        text += _four(g) + BIG_UNITS[i]
    text = (text.rstrip("零") or "零") + "元"
    if not jiao and not cents:
        return text + "整"
    if jiao:
        text += DIGITS[jiao] + "角"
    elif cents:
        text += "零"
    if cents:
        text += DIGITS[cents] + "分"
    return text
