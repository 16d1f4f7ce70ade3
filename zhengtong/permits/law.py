"""The permit rules that come from the regulations, versioned by the date they apply to.

Every rule names its article. Quotations are in ``shared/reference/permit-rules.md``. Where that
file says NOT FOUND, the rule is a setting (``settings.PERMIT_*``) and carries
``confirmed=False``, which the pages show as "rule text not confirmed".

Texts and their dates:
- 办法2018: 排污许可管理办法（试行）, in force 2018-01-10.
- 条例: 排污许可管理条例 (State Council Order No. 736), in force 2021-03-01.
- 许可法: 行政许可法 (as amended 2019), the general law where the specific rules are silent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from zhengtong.core.workdays import DayBasis

REGULATION_IN_FORCE = date(2021, 3, 1)  # 条例 第五十一条


@dataclass(frozen=True)
class TimeLimit:
    days: int
    article: str
    confirmed: bool = True  # False: the number is a setting, not a text we hold

    @property
    def basis(self) -> DayBasis:
        """许可法 Art. 82 counts its own limits in working days; whether 条例's (and 办法2018's) "日"
        are working days is not confirmed by any text, so theirs follow the city's setting
        (PERMIT_DAY_BASIS)."""
        if self.article.startswith("行政许可法"):
            return DayBasis.WORKING
        return DayBasis(settings.PERMIT_DAY_BASIS)


def acceptance_notice_limit(received: date) -> TimeLimit:
    """Days to send the one-time notice of missing materials; afterwards the application counts
    as accepted on the day it was received."""
    if received >= REGULATION_IN_FORCE:
        return TimeLimit(3, "排污许可管理条例 第九条（四）")
    return TimeLimit(5, "行政许可法 第三十二条（四）")


def decision_limit(accepted: date, management_class: str, onsite_check: bool = False) -> TimeLimit:
    """Days from acceptance to the decision to issue or refuse."""
    if accepted >= REGULATION_IN_FORCE:
        if management_class == "simplified":
            return TimeLimit(20, "排污许可管理条例 第十二条")
        return TimeLimit(45 if onsite_check else 30, "排污许可管理条例 第十二条")
    # 办法2018's own limit was not read (NOT FOUND); a secondary page paraphrases 20 working days.
    return TimeLimit(settings.PERMIT_DECISION_DAYS_2018, "排污许可管理办法（试行）", confirmed=False)


def certificate_limit() -> TimeLimit:
    """Days from the decision to issuing the certificate."""
    return TimeLimit(10, "行政许可法 第四十四条")


def extension_limit() -> TimeLimit:
    """The one extension of a decision limit, approved by the head of the authority."""
    return TimeLimit(10, "行政许可法 第四十二条")


def renewal_review_limit(accepted: date) -> TimeLimit:
    if accepted >= REGULATION_IN_FORCE:
        return TimeLimit(20, "排污许可管理条例 第十四条")
    return TimeLimit(20, "行政许可法 第四十二条")


def renewal_lead_days(expires: date) -> tuple[int, str, bool]:
    """How long before expiry a renewal must be applied for: (days, article, confirmed)."""
    if expires - timedelta(days=60) >= REGULATION_IN_FORCE:
        return 60, "排污许可管理条例 第十四条", True
    # 办法2018's own lead time NOT FOUND; the general law's default applies "unless rules say otherwise".
    return 30, "行政许可法 第五十条", False


def validity_years(decided: date, *, renewal: bool) -> tuple[int, str]:
    """Years a permit is valid from its decision date, by the rules in force on that date."""
    if decided >= REGULATION_IN_FORCE:
        return 5, "排污许可管理条例 第十四条"
    return (5 if renewal else 3), "排污许可管理办法（试行） 第二十一条"


def key_public_notice_days(submitted: date) -> tuple[int, str]:
    """Key management: disclosure before applying. 办法2018 Art. 25: at least five working days;
    条例 Art. 8 (一): disclosure required, no minimum duration."""
    if submitted >= REGULATION_IN_FORCE:
        return 0, "排污许可管理条例 第八条（一）"
    return 5, "排污许可管理办法（试行） 第二十五条"


UNCONFIRMED = _("rule text not confirmed")


# Penalties (permit-rules.md §6) -------------------------------------------------------------------


@dataclass(frozen=True)
class Penalty:
    key: str
    text: str  # the law and article
    covers: tuple[str, ...]  # EnforcementCase kinds
    effective_from: date
    effective_to: date | None
    min_yuan: int
    max_yuan: int
    measures: tuple[str, ...]
    per_instance: bool = False
    medium: str = ""  # "W" water, "A" air, "" any


MEASURES = {
    "order_correction": _("Order correction"),
    "restrict_production": _("Restrict production"),
    "suspend": _("Suspend production for rectification"),
    "cease_or_close": _("Cease business or close (serious cases, with the government's approval)"),
    "revoke_permit": _("Revoke the permit (serious cases)"),
}

_MAIN = ("order_correction", "restrict_production", "suspend", "cease_or_close")

PENALTIES = (
    Penalty("water83", "水污染防治法 第八十三条", ("no_permit", "exceedance"), date(2018, 1, 1), None,
            100_000, 1_000_000, _MAIN, medium="W"),
    Penalty("air99", "大气污染防治法 第九十九条", ("no_permit", "exceedance"), date(2016, 1, 1), None,
            100_000, 1_000_000, _MAIN, medium="A"),
    Penalty("reg33", "排污许可管理条例 第三十三条", ("no_permit",), REGULATION_IN_FORCE, None,
            200_000, 1_000_000, _MAIN),
    Penalty("reg34", "排污许可管理条例 第三十四条", ("exceedance",), REGULATION_IN_FORCE, None,
            200_000, 1_000_000, (*_MAIN, "revoke_permit")),
    Penalty("reg37", "排污许可管理条例 第三十七条（三）", ("late_report", "missing_report"), REGULATION_IN_FORCE, None,
            5_000, 20_000, ("order_correction",), per_instance=True),
    Penalty("reg43", "排污许可管理条例 第四十三条", ("no_registration",), REGULATION_IN_FORCE, None,
            0, 50_000, ("order_correction",)),
)


def penalties_for(kind: str, on: date, medium: str = "") -> list[Penalty]:
    """Every legal basis whose effective window covers the violation date; the officer picks one
    and the choice is recorded (which prevails where bands differ is not settled by our texts)."""
    return [
        p for p in PENALTIES
        if kind in p.covers and p.effective_from <= on and (p.effective_to is None or on <= p.effective_to)
        and (not medium or not p.medium or p.medium == medium)
    ]


def penalty(key: str) -> Penalty | None:
    return next((p for p in PENALTIES if p.key == key), None)


@dataclass(frozen=True)
class RequiredDocument:
    """A document the regulation names for an application, in its own words."""

    key: str
    text: str  # quoted from shared/reference/permit-rules.md
    article: str
    management_class: str = ""  # "" every application; "key" key management only


# 条例 第八条: only item (一) is quoted in permit-rules.md §2; the article's other items were not read,
# so nothing else is listed here (the city adds what it asks for: models.AttachmentRequirement).
APPLICATION_DOCUMENTS = (
    RequiredDocument(
        "art8_1", "属于实行排污许可重点管理的，排污单位在提出申请前已通过全国排污许可证管理信息平台公开单位基本信息、"
        "拟申请许可事项的说明材料", "条例 第八条 (一)", management_class="key"),
)
