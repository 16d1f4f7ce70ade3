"""The donation drive (捐款活动): campaigns, donations recorded and corrected, their totals, the list
in time order with the leading donors first on the day they led, and each donation's receipt.

A donation is never changed or deleted: a wrong one is corrected by a new record naming it, with the
reason (``donation_correct``), which may also withdraw it. Who: the officers of the organising
department, or the city administrator (``scopes.can_run_donations``); nobody else sees a campaign.

Amounts are yuan with at most two decimals (fen), more than zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, Count, Q, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import TextMode

from zhengtong.accounts import scopes
from zhengtong.core.cleaners import clean_choice, clean_date, clean_note, clean_text
from zhengtong.core.errors import DomainError, FieldErrors
from zhengtong.core.http import get_or_404
from zhengtong.core.ids import valid_id
from zhengtong.core.money import amount_in_words
from zhengtong.core.pdf import FONT_FAMILY, add_cjk_font
from zhengtong.registry.models import Department
from zhengtong.resumption.models import Donation, DonationCampaign, DonorKind

MAX_AMOUNT = Decimal("9999999999.99")  # what the column holds
COUNTED = Q(correction__isnull=True, withdrawn=False)


# Reads -----------------------------------------------------------------------------------------


def campaign_list(*, user) -> QuerySet[DonationCampaign]:
    return (DonationCampaign.objects.filter(scopes.donation_campaigns_q(user)).select_related("organiser")
            .annotate(total=Sum("donations__amount", filter=Q(donations__correction__isnull=True,
                                                               donations__withdrawn=False)),
                      donors=Count("donations", filter=Q(donations__correction__isnull=True,
                                                         donations__withdrawn=False)))
            .order_by("-starts_on", "-id"))


def campaign_get(*, user, pk) -> DonationCampaign:
    return get_or_404(DonationCampaign.objects.filter(scopes.donation_campaigns_q(user)).select_related("organiser"),
                      pk)


def organisers(*, user) -> QuerySet[Department]:
    """The departments whose campaigns the user may start."""
    s = scopes.get_scope(user)
    qs = Department.objects.all() if s.is_city else Department.objects.filter(pk__in=s.departments | s.head_departments)
    return qs.order_by("code")


def donation_list(*, campaign: DonationCampaign) -> QuerySet[Donation]:
    """The donations that count, in time order with the leaders first on each day (then as recorded)."""
    return (campaign.donations.filter(COUNTED)
            .annotate(leader_rank=Case(When(is_leader=True, then=Value(0)), default=Value(1)))
            .order_by("donated_on", "leader_rank", "recorded_at", "id"))


def donation_get(*, user, pk) -> Donation:
    return get_or_404(Donation.objects.filter(scopes.donation_campaigns_q(user, prefix="campaign__"))
                      .select_related("campaign__organiser", "corrects", "recorded_by"), pk)


def donation_history(donation: Donation) -> list[Donation]:
    """The donation's records from the first to the latest correction."""
    chain = [donation]
    while chain[0].corrects_id is not None:
        chain.insert(0, Donation.objects.select_related("recorded_by").get(pk=chain[0].corrects_id))
    latest = donation
    while True:
        nxt = Donation.objects.select_related("recorded_by").filter(corrects=latest).first()
        if nxt is None:
            break
        chain.append(nxt)
        latest = nxt
    return chain


@dataclass
class Totals:
    amount: Decimal
    donors: int
    by_organisation: list[dict[str, Any]]
    leaders: int
    party_members: int


def campaign_totals(*, campaign: DonationCampaign) -> Totals:
    counted = campaign.donations.filter(COUNTED)
    overall = counted.aggregate(amount=Sum("amount"), donors=Count("id"), leaders=Count("id", filter=Q(is_leader=True)),
                                party=Count("id", filter=Q(party_member=True)))
    rows = list(counted.values("organisation").annotate(amount=Sum("amount"), donors=Count("id"))
                .order_by("-amount", "organisation"))
    return Totals(overall["amount"] or Decimal("0"), overall["donors"], rows, overall["leaders"], overall["party"])


# Writes ----------------------------------------------------------------------------------------


def clean_amount(errors: FieldErrors, raw: Any, field: str = "amount") -> Decimal | None:
    """Yuan as typed ("1,000", "200.5"): a number more than zero with at most two decimals."""
    text = "" if raw is None else str(raw).strip().replace(",", "").replace("，", "")
    if not text:
        errors.add(field, _("This field is required."))
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        errors.add(field, _("Enter an amount in yuan, for example 200 or 200.50."))
        return None
    if not value.is_finite():
        errors.add(field, _("Enter an amount in yuan, for example 200 or 200.50."))
    elif value <= 0:
        errors.add(field, _("A donation is more than zero."))
    elif value.as_tuple().exponent < -2 and value != value.quantize(Decimal("0.01")):  # type: ignore[operator]
        errors.add(field, _("At most two decimals (fen)."))
    elif value > MAX_AMOUNT:
        errors.add(field, _("This number is too large to be real."))
    else:
        return value.quantize(Decimal("0.01"))
    return None


def campaign_create(*, user, data: dict) -> DonationCampaign:
    errors = FieldErrors()
    name = clean_text(errors, data, "name", required=True, max_length=100)
    pk = valid_id(data.get("organiser"))
    organiser = organisers(user=user).filter(pk=pk).first() if pk else None
    if organiser is None:
        errors.add("organiser", _("Choose your department."))
    purpose = clean_text(errors, data, "purpose", max_length=2000)
    starts = clean_date(errors, data, "starts_on")
    if starts is None and "starts_on" not in errors.errors:
        errors.add("starts_on", _("This field is required."))
    ends = clean_date(errors, data, "ends_on")
    if starts and ends and ends < starts:
        errors.add("ends_on", _("The campaign ends on or after its first day."))
    errors.raise_if_any()
    assert organiser is not None and starts is not None
    if not scopes.can_run_donations(user, organiser.pk):
        raise PermissionDenied
    if DonationCampaign.objects.filter(organiser=organiser, name=name).exists():
        raise DomainError(_("Your department has a campaign of this name already."), field="name", status=409)
    return DonationCampaign.objects.create(name=name, organiser=organiser, purpose=purpose, starts_on=starts,
                                           ends_on=ends, created_by=user)


def _ticked(data: dict, name: str) -> bool:
    """A checkbox or a flag as a form, a test or a script sends it (on, true, 1, yes, or True)."""
    return str(data.get(name) or "").lower() in ("1", "true", "on", "yes")


def _donation_fields(campaign: DonationCampaign, data: dict, errors: FieldErrors) -> dict[str, Any]:
    kind = clean_choice(errors, {"donor_kind": data.get("donor_kind") or DonorKind.PERSON}, "donor_kind", DonorKind)
    name = clean_text(errors, data, "donor_name", required=True, max_length=100)
    organisation = clean_text(errors, data, "organisation", max_length=100)
    if kind == DonorKind.ORGANISATION:
        organisation = organisation or name
    elif not organisation and "organisation" not in errors.errors:
        errors.add("organisation", _("Give the donor's organisation."))
    title = clean_text(errors, data, "title", max_length=50)
    amount = clean_amount(errors, data.get("amount"))
    day = clean_date(errors, data, "donated_on")
    if day is None and "donated_on" not in errors.errors:
        errors.add("donated_on", _("This field is required."))
    elif day is not None:
        if day > timezone.localdate():
            errors.add("donated_on", _("This day is in the future."))
        elif day < campaign.starts_on:
            errors.add("donated_on", _("The campaign began on %(day)s.") % {"day": campaign.starts_on})
    return {"donor_kind": kind, "donor_name": name, "organisation": organisation, "title": title, "amount": amount,
            "donated_on": day, "is_leader": _ticked(data, "is_leader"),
            "party_member": _ticked(data, "party_member")}


def donation_record(*, user, campaign: DonationCampaign, data: dict) -> Donation:
    """Record a donation: donor (a person with their organisation, or an organisation), party member
    or not, leader or not (with their title), amount, day."""
    if not scopes.can_run_donations(user, campaign.organiser_id):
        raise PermissionDenied
    errors = FieldErrors()
    fields = _donation_fields(campaign, data, errors)
    errors.raise_if_any()
    return Donation.objects.create(campaign=campaign, recorded_by=user, **fields)


DONATION_FIELDS = ("donor_kind", "donor_name", "organisation", "title", "amount", "donated_on", "is_leader",
                   "party_member")


def donation_correct(*, user, donation: Donation, data: dict) -> Donation:
    """Correct a donation by a new record naming it, with the reason; ``withdraw`` withdraws it (a
    donation recorded by mistake). A field ``data`` leaves out keeps the record's value (the page sends
    them all, filled from the record; the API only those that change). Only the latest record of a
    donation is corrected (409)."""
    if not scopes.can_run_donations(user, donation.campaign.organiser_id):
        raise PermissionDenied
    reason = clean_note(data.get("reason"), "reason", required=_("Write why the donation is corrected."),
                        max_length=2000)
    withdraw = _ticked(data, "withdraw")
    errors = FieldErrors()
    if withdraw:
        fields = {k: getattr(donation, k) for k in ("donor_kind", "donor_name", "organisation", "title",
                                                    "donated_on", "is_leader", "party_member")}
        fields.update(amount=None, withdrawn=True)
    else:
        kept = {k: getattr(donation, k) for k in DONATION_FIELDS if k not in data}
        fields = _donation_fields(donation.campaign, {**kept, **data}, errors)
    with transaction.atomic():
        current = Donation.objects.select_for_update().get(pk=donation.pk)
        if Donation.objects.filter(corrects=current).exists() or current.withdrawn:
            raise DomainError(_("This record was corrected already: correct the latest one."), field="reason",
                              status=409)
        errors.raise_if_any()  # after the 409: a record corrected already is not to be corrected at all
        return Donation.objects.create(campaign=current.campaign, corrects=current, reason=reason, recorded_by=user,
                                       **fields)


# The receipt -----------------------------------------------------------------------------------


def receipt_number(donation: Donation) -> str:
    return f"JK{donation.campaign_id:04d}-{donation.pk:06d}"


def receipt_pdf(donation: Donation) -> bytes:
    """A receipt of a donation that counts, as PDF with the Chinese font: campaign, organiser, donor,
    amount in figures and in words, day, the record's number. Made from the record only: the same
    bytes each time. A corrected or withdrawn record has no receipt (409)."""
    if donation.withdrawn or Donation.objects.filter(corrects=donation).exists():
        raise DomainError(_("This record was corrected: the receipt is the latest record's."), field="donation",
                          status=409)
    assert donation.amount is not None
    campaign = donation.campaign
    pdf = FPDF(orientation="landscape", unit="mm", format=(148, 210))  # A5
    add_cjk_font(pdf)
    number = receipt_number(donation)
    pdf.set_title(number)
    pdf.set_subject("捐款收据")
    pdf.set_author(campaign.organiser.name)
    pdf.set_creator("Zhengtong 政通")
    pdf.set_lang("zh-CN")
    pdf.set_creation_date(datetime.combine(donation.donated_on, time(0, 0), tzinfo=timezone.get_fixed_timezone(480)))
    pdf.set_margins(18, 16, 18)
    pdf.add_page()
    pdf.set_font(FONT_FAMILY, size=18)
    with pdf.local_context(text_mode=TextMode.FILL_STROKE, line_width=0.3):
        pdf.cell(0, 12, "捐款收据", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, size=10)
    pdf.cell(0, 6, f"No. {number}", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    rows = [
        ("捐款活动", campaign.name),
        ("组织单位", campaign.organiser.name),
        ("捐款人", donation.donor_name + (f"（{donation.title}）" if donation.title else "")),
        ("所在单位", donation.organisation),
        ("金额", f"人民币 {donation.amount:,.2f} 元（{amount_in_words(donation.amount)}）"),
        ("捐款日期", donation.donated_on.isoformat()),
    ]
    for label, value in rows:
        pdf.set_font(FONT_FAMILY, size=12)
        pdf.cell(30, 9, label + "：")
        pdf.multi_cell(0, 9, value or "—", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(FONT_FAMILY, size=12)
    pdf.cell(0, 8, campaign.organiser.name, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 8, donation.donated_on.isoformat(), align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
