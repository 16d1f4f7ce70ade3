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


def test_the_prison_has_a_rotation_on_duty_and_every_inmate_due_is_in_pre_release_isolation():
    from datetime import timedelta

    from zhengtong.outbreak.models import IsolationOrder
    from zhengtong.registry import selectors as registry
    from zhengtong.registry.models import SitePerson
    from zhengtong.screening.models import Rotation

    with demo_clock(ANCHOR):
        call_command("demo", "--units", "50", "--sites", "5", "--people", "2000", "--today", ANCHOR.isoformat(),
                     stdout=open("/dev/null", "w"))
        prison = Site.objects.get(unit__name="衡州监狱")
        on_duty = Rotation.objects.get(site=prison, name="第三轮")
        assert on_duty.is_on_duty(ANCHOR) and on_duty.members.exists() and on_duty.ended_at is None
        # the rotation before it ended when the demo's jobs ran: its members are isolated
        before = Rotation.objects.get(site=prison, name="第二轮")
        assert before.ended_at is not None and before.members.filter(isolation_ordered=True).count() == \
            before.members.count() > 0
        assert IsolationOrder.objects.filter(reason="rotation", site=prison).count() == before.members.count()
        due = SitePerson.objects.filter(site=prison, relation="inmate", until__isnull=True,
                                        release_date__gte=ANCHOR, release_date__lte=ANCHOR + timedelta(days=14))
        assert due.filter(release_date=ANCHOR).exists()
        isolated = set(IsolationOrder.objects.filter(reason="pre_release", status="active")
                       .values_list("person_id", flat=True))
        assert set(due.values_list("person_id", flat=True)) <= isolated
        # listed on the prison's page, each in isolation until its release date, none past its date
        listed = registry.inmates_due(site=prison)
        assert {r.membership.person_id for r in listed} == set(due.values_list("person_id", flat=True))
        assert not SitePerson.objects.filter(site=prison, relation="inmate", until__isnull=True,
                                             release_date__lt=ANCHOR).exists()
