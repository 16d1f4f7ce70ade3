"""The donation drive (issue 19 step 5): campaigns of a department, donations by person and by
organisation (party member, leader), totals per organisation, the list in time order with the leaders
first on the day they led, corrections as new records with reasons, the export and the receipt."""

import io
import subprocess
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from zhengtong.accounts.models import Role
from zhengtong.core.errors import DomainError
from zhengtong.permits.tests.test_certificates import squash, tool
from zhengtong.registry.models import Department
from zhengtong.resumption import donations
from zhengtong.resumption.models import Donation
from zhengtong.tests_support.factories import UserFactory

pytestmark = pytest.mark.django_db
START = date.today() - timedelta(days=10)


@pytest.fixture
def drive(world):
    office = Department.objects.create(code="swb", name="市委办", kind="party_office", region=world.department.region)
    officer = UserFactory(username="office", role=Role.DEPARTMENT_OFFICER, department=office)
    campaign = donations.campaign_create(user=officer, data={"name": "支持疫情防控捐款", "organiser": office.pk,
                                                             "starts_on": START.isoformat()})
    return world, officer, campaign


def give(officer, campaign, name, amount, day, **extra):
    return donations.donation_record(user=officer, campaign=campaign, data={
        "donor_name": name, "organisation": extra.pop("organisation", "市委办"), "amount": amount,
        "donated_on": day.isoformat(), **extra})


@pytest.mark.parametrize(("amount", "message"), [
    ("-5", "more than zero"), ("0", "more than zero"), ("abc", "Enter an amount"), ("12.345", "two decimals"),
    ("", "required"), ("1e999", "too large"), ("1e-999", "two decimals"),
])
def test_bad_amounts_are_refused_naming_the_field(drive, amount, message):
    _world, officer, campaign = drive
    with translation.override("en"), pytest.raises(DomainError) as e:
        give(officer, campaign, "王建华", amount, START)
    assert message in " ".join(e.value.errors["amount"])
    assert not Donation.objects.exists()


def test_amounts_as_people_type_them(drive):
    _world, officer, campaign = drive
    assert give(officer, campaign, "王建华", "1,000", START).amount == Decimal("1000.00")
    assert give(officer, campaign, "李红梅", "200.50", START).amount == Decimal("200.50")
    assert give(officer, campaign, "张志强", "12.300", START).amount == Decimal("12.30")  # trailing zeros are no fen


def test_a_day_before_the_campaign_or_in_the_future_is_refused(drive):
    _world, officer, campaign = drive
    for day in (START - timedelta(days=1), date.today() + timedelta(days=1)):
        with pytest.raises(DomainError) as e:
            give(officer, campaign, "王建华", "100", day)
        assert "donated_on" in e.value.errors


def test_the_list_is_in_time_order_with_the_leaders_first_on_their_day(drive):
    _world, officer, campaign = drive
    give(officer, campaign, "干部甲", "300", START + timedelta(days=1))
    give(officer, campaign, "市委书记", "2000", START + timedelta(days=1), is_leader="on", party_member="on")
    give(officer, campaign, "干部乙", "100", START)
    give(officer, campaign, "机关工会", "5000", START + timedelta(days=2), donor_kind="organisation", organisation="")
    names = [d.donor_name for d in donations.donation_list(campaign=campaign)]
    assert names == ["干部乙", "市委书记", "干部甲", "机关工会"]
    totals = donations.campaign_totals(campaign=campaign)
    assert totals.amount == Decimal("7400") and totals.donors == 4 and totals.leaders == 1
    assert {r["organisation"]: r["amount"] for r in totals.by_organisation} == {
        "市委办": Decimal("2400"), "机关工会": Decimal("5000")}


def test_a_correction_is_a_new_record_with_its_reason_and_the_first_is_kept(drive):
    _world, officer, campaign = drive
    first = give(officer, campaign, "王建华", "500", START)
    with pytest.raises(DomainError) as e:
        donations.donation_correct(user=officer, donation=first, data={"amount": "50", "donor_name": "王建华",
                                                                       "organisation": "市委办",
                                                                       "donated_on": START.isoformat()})
    assert "reason" in e.value.errors
    second = donations.donation_correct(user=officer, donation=first, data={
        "amount": "50", "donor_name": "王建华", "organisation": "市委办", "donated_on": START.isoformat(),
        "reason": "录入时多打一个零"})
    first.refresh_from_db()
    assert first.amount == Decimal("500") and second.corrects == first
    assert donations.campaign_totals(campaign=campaign).amount == Decimal("50")
    with pytest.raises(DomainError) as e:  # only the latest record is corrected
        donations.donation_correct(user=officer, donation=first, data={"reason": "x", "withdraw": "on"})
    assert e.value.status == 409
    donations.donation_correct(user=officer, donation=second, data={"reason": "重复登记", "withdraw": "on"})
    assert donations.campaign_totals(campaign=campaign).donors == 0
    assert [d.amount for d in donations.donation_history(first)] == [Decimal("500"), Decimal("50"), None]


def test_only_the_organising_department_and_the_city_see_and_record(drive):
    world, officer, campaign = drive
    for role in (Role.DEPARTMENT_OFFICER, Role.COUNTY_OFFICER, Role.ENTERPRISE_CLERK):
        with pytest.raises(PermissionDenied):
            give(world.users[role], campaign, "王建华", "100", START)
        assert not donations.campaign_list(user=world.users[role]).exists()
    assert donations.campaign_list(user=world.users[Role.CITY_ADMIN]).get() == campaign


def test_the_pages_the_export_and_the_receipt(client, drive):
    world, officer, campaign = drive
    client.force_login(officer)
    url = reverse("resumption:donation_campaign", args=[campaign.pk])
    r = client.post(url, {"donor_kind": "person", "donor_name": "市委书记", "organisation": "市委", "is_leader": "on",
                          "party_member": "on", "amount": "2000", "donated_on": START.isoformat()})
    assert r.status_code == 302
    bad = client.post(url, {"donor_kind": "person", "donor_name": "x", "organisation": "y", "amount": "-1",
                            "donated_on": START.isoformat()})
    assert bad.status_code == 400 and "捐款金额须大于零" in bad.content.decode()
    donation = Donation.objects.get()
    form = client.get(reverse("resumption:donation", args=[donation.pk])).content.decode()
    assert f'value="{START.isoformat()}"' in form and "职务" in form  # the correction starts from the record
    page = client.get(url).content.decode()
    assert "市委书记" in page and "2000.00" in page
    export = client.get(reverse("resumption:donation_export", args=[campaign.pk]))
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[1][1] == "市委书记" and rows[1][6] == 2000
    receipt = client.get(reverse("resumption:donation_receipt", args=[donation.pk]))
    assert receipt["Content-Type"] == "application/pdf"
    text = squash(subprocess.run([tool("pdftotext"), "-", "-"], input=receipt.content, capture_output=True,
                                 check=True).stdout.decode())
    for expected in ("捐款收据", "支持疫情防控捐款", "市委办", "市委书记", "贰仟元整", START.isoformat()):
        assert expected in text, expected
    client.force_login(world.users[Role.GATEKEEPER])
    assert client.get(url).status_code == 404
    assert client.get(reverse("resumption:donation_receipt", args=[donation.pk])).status_code == 404
