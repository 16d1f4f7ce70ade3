"""Pages of the donation drive: the campaigns, a campaign with its totals and donations (time order,
leaders first on their day), recording and correcting a donation, the export and a receipt."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from zhengtong.accounts import scopes
from zhengtong.core.errors import DomainError
from zhengtong.core.forms import DateInput, save_form
from zhengtong.core.listing import Column, export_response
from zhengtong.resumption import donations
from zhengtong.resumption.models import DonorKind

DONATION_COLUMNS = [
    Column("day", gettext_lazy("Donated on"), order=("donated_on", "leader_rank", "recorded_at"),
           cell=lambda d: d.donated_on),
    Column("donor", gettext_lazy("Donor"), cell=lambda d: d.donor_name),
    Column("title", pgettext_lazy("post held", "Title"), cell=lambda d: d.title),
    Column("organisation", gettext_lazy("Organisation"), cell=lambda d: d.organisation),
    Column("leader", gettext_lazy("Leader"), cell=lambda d: _("yes") if d.is_leader else ""),
    Column("party", gettext_lazy("Party member"), cell=lambda d: _("yes") if d.party_member else ""),
    Column("amount", gettext_lazy("Amount (yuan)"), cell=lambda d: d.amount),
    Column("receipt", gettext_lazy("Receipt no."), cell=donations.receipt_number),
]


class CampaignForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    organiser = forms.ChoiceField(label=gettext_lazy("Organiser"))
    purpose = forms.CharField(label=gettext_lazy("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    starts_on = forms.CharField(label=gettext_lazy("Starts on"), widget=DateInput())
    ends_on = forms.CharField(label=gettext_lazy("Ends on"), required=False,
                              widget=DateInput())

    def __init__(self, *args, organisers=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["organiser"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(d.pk, d.name) for d in organisers]


class DonationForm(forms.Form):
    donor_kind = forms.ChoiceField(label=gettext_lazy("Donor"), choices=DonorKind.choices, initial=DonorKind.PERSON)
    donor_name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    title = forms.CharField(label=pgettext_lazy("post held", "Title"), max_length=50, required=False)
    organisation = forms.CharField(label=gettext_lazy("Organisation"), max_length=100, required=False)
    party_member = forms.BooleanField(label=gettext_lazy("Party member"), required=False)
    is_leader = forms.BooleanField(label=gettext_lazy("Leader"), required=False)
    amount = forms.CharField(label=gettext_lazy("Amount (yuan)"), max_length=30,
                             widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    donated_on = forms.CharField(label=gettext_lazy("Donated on"), widget=DateInput())


class CorrectionForm(DonationForm):
    withdraw = forms.BooleanField(label=gettext_lazy("Withdraw this donation (recorded by mistake)"), required=False)
    reason = forms.CharField(label=gettext_lazy("Reason for the correction"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("donor_name", "amount", "donated_on"):  # a withdrawal needs none of them
            self.fields[name].required = False


def _seeing(request) -> None:
    if not scopes.can_see_donations(request.user):
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def campaign_list(request):
    _seeing(request)
    organisers = donations.organisers(user=request.user)
    form = CampaignForm(request.POST or None, organisers=organisers,
                        initial={"starts_on": timezone.localdate().isoformat()})
    if request.method == "POST":
        campaign = save_form(form, lambda data: donations.campaign_create(user=request.user, data=data))
        if campaign is not None:
            messages.success(request, _("Campaign started."))
            return redirect("resumption:donation_campaign", pk=campaign.pk)
    return render(request, "resumption/donation_campaigns.html", {
        "campaigns": donations.campaign_list(user=request.user), "form": form, "nav_active": "donations",
        "may_start": organisers.exists()}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def campaign(request, pk: int):
    campaign = donations.campaign_get(user=request.user, pk=pk)
    form = DonationForm(request.POST or None, initial={"donated_on": timezone.localdate().isoformat()})
    if request.method == "POST":
        donation = save_form(form, lambda data: donations.donation_record(user=request.user, campaign=campaign,
                                                                            data=data))
        if donation is not None:
            messages.success(request, _("Donation recorded: %(name)s, %(amount)s yuan.")
                             % {"name": donation.donor_name, "amount": donation.amount})
            return redirect("resumption:donation_campaign", pk=campaign.pk)
    rows = list(donations.donation_list(campaign=campaign).select_related("recorded_by"))
    days: list[tuple] = []
    for d in rows:  # grouped by day, leaders first within it (the list's order)
        if not days or days[-1][0] != d.donated_on:
            days.append((d.donated_on, []))
        days[-1][1].append(d)
    return render(request, "resumption/donation_campaign.html", {
        "campaign": campaign, "days": days, "totals": donations.campaign_totals(campaign=campaign), "form": form,
        "nav_active": "donations", "may_record": scopes.can_run_donations(request.user, campaign.organiser_id),
    }, status=400 if form.errors else 200)


@login_required
@require_GET
def campaign_export(request, pk: int):
    campaign = donations.campaign_get(user=request.user, pk=pk)
    return export_response(request, donations.donation_list(campaign=campaign), DONATION_COLUMNS, default="day",
                           name=f"donations-{campaign.pk}", sheet_name=_("Donations"))


@login_required
@require_http_methods(["GET", "POST"])
def donation_correct(request, pk: int):
    donation = donations.donation_get(user=request.user, pk=pk)
    initial = {k: getattr(donation, k) for k in ("donor_kind", "donor_name", "title", "organisation",
                                                 "party_member", "is_leader", "amount")}
    initial["donated_on"] = donation.donated_on.isoformat()  # the date field shows ISO text only
    form = CorrectionForm(request.POST or None, initial=initial)
    if request.method == "POST":
        corrected = save_form(form, lambda data: donations.donation_correct(user=request.user, donation=donation,
                                                                            data=data))
        if corrected is not None:
            messages.success(request, _("Correction recorded."))
            return redirect("resumption:donation_campaign", pk=donation.campaign_id)
    return render(request, "resumption/donation_correct.html", {
        "donation": donation, "form": form, "history": donations.donation_history(donation),
        "nav_active": "donations",
        "may_correct": scopes.can_run_donations(request.user, donation.campaign.organiser_id),
    }, status=400 if form.errors else 200)


@login_required
@require_GET
def donation_receipt(request, pk: int):
    donation = donations.donation_get(user=request.user, pk=pk)
    try:
        pdf = donations.receipt_pdf(donation)
    except DomainError:
        raise Http404 from None
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{donations.receipt_number(donation)}.pdf"'
    return response
