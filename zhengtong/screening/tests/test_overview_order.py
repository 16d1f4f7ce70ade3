"""Issue 16 §4: the screening overview puts the sites that need attention first: those under
closed management today, then those with the viewer's open alerts; then by county and by name as
people count (二监区 before 十一监区)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from zhengtong.accounts.models import Role
from zhengtong.screening.models import Alert
from zhengtong.tests_support.factories import SiteFactory

pytestmark = pytest.mark.django_db


def test_closed_sites_and_sites_with_open_alerts_come_first(client, world):
    today = timezone.localdate()
    plain = [SiteFactory.create(unit=world.unit_a, name=n) for n in ("十一监区", "二监区")]
    closed = SiteFactory.create(unit=world.unit_a, name="三监区", closed_since=today - timedelta(days=3))
    later = SiteFactory.create(unit=world.unit_a, name="四监区", closed_since=today + timedelta(days=3))
    alerting = SiteFactory.create(unit=world.unit_a, name="五监区")
    county = world.users[Role.COUNTY_OFFICER]
    Alert.objects.create(recipient=county, kind="fever", site=alerting, message="x")
    Alert.objects.create(recipient=county, kind="fever", site=plain[1], message="seen",
                         acknowledged_at=timezone.now())
    Alert.objects.create(recipient=world.users[Role.CITY_ADMIN], kind="fever", site=plain[0], message="not yours")
    client.force_login(county)
    response = client.get(reverse("screening:site_list"))
    order = [s.name for s in response.context["page"]]
    assert order == ["三监区", "五监区", "一号车间", "二监区", "四监区", "十一监区"]
    assert later.name in order and world.site_b.name not in order
    html = response.content.decode()
    assert html.index(f'data-site="{closed.pk}"') < html.index(f'data-site="{alerting.pk}"')


def test_areas_sort_as_people_count(world):
    from zhengtong.screening import selectors
    from zhengtong.screening.models import Area

    for name in ("十一监区", "二监区", "十监区", "一监区", "10号楼", "2号楼"):
        Area.objects.create(site=world.site_a, name=name)
    Area.objects.create(site=world.site_a, name="三监区", is_active=False)
    names = [a.name for a in selectors.area_status(site=world.site_a)]
    assert names == ["一监区", "2号楼", "二监区", "10号楼", "十监区", "十一监区", "三监区"]  # by number
    assert [a.name for a in selectors.active_areas(site=world.site_a)] == names[:-1]
