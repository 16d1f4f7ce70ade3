"""Issue 16: the demo city lives in the present. Loaded at two anchor days, the story's dates move by the
days between them; the history (the first permits of 2017–2019), the law applied to it and the catalogue
do not; the pages say the dates are shifted."""

from datetime import date, timedelta

import pytest
from django.db.models import Max
from stdnum.cn import ric

from zhengtong.core import demo_clock
from zhengtong.permits.models import Campaign, Permit, Registration
from zhengtong.registry import demo
from zhengtong.registry.identity import decrypt_id_number
from zhengtong.registry.models import Person, Site, SitePerson
from zhengtong.screening.models import Entry
from zhengtong.tests_support.demo import ANCHOR, SHIFTED_ANCHOR
from zhengtong.tests_support.demo import demo_clock as clock

pytestmark = pytest.mark.django_db
SIZE = {"units": 300, "sites": 5, "people": 300}  # the campaign's own permits and queue: see tests_crawl


def _picture(today: date) -> dict:
    with clock(today):
        demo.load_demo(**SIZE, today=today)
    campaign = Campaign.objects.get()
    welfare = Site.objects.get(unit__name="衡南县福利中心")
    children = Person.objects.filter(memberships__site=welfare, memberships__relation=SitePerson.Relation.RESIDENT)
    births = sorted(ric.get_birth_date(decrypt_id_number(p.id_number_encrypted)).year for p in children)
    first = Permit.objects.filter(application__kind="first", decided_on__lt=date(2020, 1, 1)).order_by("pk")
    picture = {
        "prison": Site.objects.get(unit__name="衡州监狱").closed_since, "welfare": welfare.closed_since,
        "deadlines": (campaign.early_deadline, campaign.late_deadline), "catalogue": campaign.catalogue_version,
        "history": [(p.decided_on, p.validity_basis) for p in first],
        "registrations": sorted(Registration.objects.values_list("valid_until", flat=True)),
        "last_entry": Entry.objects.aggregate(last=Max("entered_at"))["last"],
        "births": births, "notice": demo_clock.notice(),
    }
    demo.wipe_demo()
    return picture


def test_the_story_moves_with_the_anchor_and_the_history_stays():
    at_story, shifted = _picture(ANCHOR), _picture(SHIFTED_ANCHOR)
    days = SHIFTED_ANCHOR - ANCHOR
    assert days == demo_clock.shift(SHIFTED_ANCHOR) == timedelta(days=2195)

    # The newspaper's own dates on its day; moved by the same days on the other.
    assert at_story["welfare"] == date(2020, 1, 26) and shifted["welfare"] == date(2026, 1, 29)
    assert shifted["prison"] == at_story["prison"] + days and shifted["prison"] <= SHIFTED_ANCHOR - timedelta(days=30)
    assert at_story["deadlines"] == (date(2020, 4, 20), date(2020, 9, 20))
    assert shifted["deadlines"] == tuple(d + days for d in at_story["deadlines"])
    assert SHIFTED_ANCHOR < shifted["deadlines"][0]  # the campaign's deadlines lie ahead of the anchor
    for picture, anchor in ((at_story, ANCHOR), (shifted, SHIFTED_ANCHOR)):
        assert picture["registrations"] and all(d > anchor for d in picture["registrations"])  # all still valid
        assert demo_clock.now_at(anchor).date() - picture["last_entry"].date() <= timedelta(days=1)

    # History and law stay: the first permits of 2017–2019, on the same days, under the same rules.
    assert at_story["history"] and shifted["history"] == at_story["history"]
    assert all(date(2017, 1, 1) <= d <= date(2019, 12, 31) for d, _basis in shifted["history"])
    assert shifted["catalogue"] == at_story["catalogue"] == "2019"

    # Birth years move by whole years: the welfare centre's children are still children.
    assert shifted["births"] == [y + 6 for y in at_story["births"]]
    assert at_story["births"][-20] >= 2003 and shifted["births"][-20] >= 2009

    # The pages say so.
    assert "2020-02-27" in at_story["notice"] and SHIFTED_ANCHOR.isoformat() not in at_story["notice"]
    assert "2026-03-02" in shifted["notice"] and "2020-02-27" in shifted["notice"]


def test_every_page_says_the_demo_dates_are_shifted(client):
    from zhengtong.tests_support.demo import demo_clock as clock

    assert b'data-testid="demo-notice"' not in client.get("/accounts/login/").content  # no demo, no note
    with clock(SHIFTED_ANCHOR):
        demo.load_demo(units=20, sites=2, people=300, today=SHIFTED_ANCHOR)
        page = client.get("/accounts/login/").content.decode()
        assert 'data-testid="demo-notice"' in page and "日期已平移至 <span class=\"nowrap\">2026-03-02</span>" in page
        client.force_login(demo._demo_users().get(username="county"))
        assert "日期已平移至 <span class=\"nowrap\">2026-03-02</span>" in client.get("/").content.decode()
    demo.wipe_demo()
    assert 'data-testid="demo-notice"' not in client.get("/accounts/login/").content.decode()
