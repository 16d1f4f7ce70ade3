from datetime import date

import pytest
from django.core.management import call_command

from zhengtong.registry.models import Site
from zhengtong.screening.models import Area, Disinfection, Entry
from zhengtong.tests_support.demo import ANCHOR, demo_clock

pytestmark = pytest.mark.django_db


def test_the_demo_shows_the_pages_special_sites_under_closed_management():
    with demo_clock(ANCHOR):
        call_command("demo", "--units", "50", "--sites", "5", "--people", "2000", "--today", ANCHOR.isoformat(),
                     stdout=open("/dev/null", "w"))
    welfare = Site.objects.get(unit__name="衡南县福利中心")
    assert welfare.closed_since == date(2020, 1, 26) and welfare.visitor_policy == "none"
    prison = Site.objects.get(unit__name="衡州监狱")
    assert prison.closed_since is not None and prison.visitor_policy == "none"
    assert welfare.history.filter(history_change_reason__contains="封闭式管理").exists()
    workshop = Site.objects.get(unit__name="广铁工务大修段衡阳焊轨车间")
    assert Area.objects.filter(site=workshop).count() >= 2
    assert Disinfection.objects.filter(site=workshop).exists()
    assert Entry.objects.filter(site=workshop).exists()
