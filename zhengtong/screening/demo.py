"""The demo city's screening picture: the page's special sites under closed management, their
areas, daily disinfection, and two weeks of entries at the named enterprises' sites and at one factory of
the demo county officer's county, ending at the demo's now.

Every date below is the story's (as the newspaper tells it, around 27 February 2020) and is shown
moved to the anchor day (core.demo_clock.story_date): the prison closed five weeks before, the welfare
centre a month before, the enterprises resumed in the weeks before.

From the page: the prison is under fully closed management; the welfare centre has refused all
visitors since 26 January 2020; the rail-welding workshop registers and temperature-checks everyone
who enters every day and disinfects its production and living areas.
invented: the prison's closing date, Zhongke's day of resumption, every area name, disinfection agents
and times, the entries, and the prison's closed-duty rotations of staff.
"""

import random
import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from zhengtong.core import audit
from zhengtong.core import demo_clock as story
from zhengtong.registry.models import SitePerson, VisitorPolicy
from zhengtong.screening.models import (
    Alert,
    Area,
    Decision,
    Disinfection,
    Entry,
    GateDevice,
    HealthCheck,
    Reason,
    Rotation,
    RotationMember,
)
from zhengtong.screening.selectors import county_gate_people, county_gate_site

STATES = {
    "prison": (date(2020, 1, 24), VisitorPolicy.NONE),  # invented date
    "welfare": (date(2020, 1, 26), VisitorPolicy.NONE),  # from the page
}
AREAS = {
    "prison": ["一监区", "二监区", "三监区", "出监监区（刑释前隔离）", "监狱医院", "伙房"],
    "welfare": ["老人楼一层", "老人楼二层", "儿童楼", "食堂"],
    "workshop": ["焊轨生产区", "职工宿舍", "食堂"],
    "tbea": ["施工区", "工人宿舍"],
    "zhongke": ["一号厂房", "二号厂房", "员工食堂"],
}
RESUMED = {  # entries at these sites start on the day work resumed (or two weeks back)
    "tbea": date(2020, 2, 5),  # from the page: construction resumed
    "zhongke": date(2020, 2, 24),  # invented: "fully resumed normal production", the Monday of the page's week
}
# invented: how many of a site's own people enter each day. Zhongke fully resumed and its workforce comes
# in nearly whole; the park's site stays at 150 of its 320 workers (the page: workers from other provinces
# could not come back), which the county officer sees as a gap between declared and measured workforce.
HEADCOUNT = {"workshop": 150, "tbea": 150, "zhongke": 480}
DRAWN = 150  # the first people of each site draw their entries from the demo's rng (as before HEADCOUNT)
OPERATORS = ["王师傅", "李师傅", "张师傅"]
AGENTS = ["含氯消毒液（500mg/L）", "75%酒精", "过氧乙酸"]


def wipe() -> None:
    for model in (Entry, Disinfection, HealthCheck, Alert, GateDevice, Area, RotationMember, Rotation):
        model.objects.all().delete()
    Rotation.history.all().delete()


LABEL = "entries"


def load(*, admin, named_sites: dict, rng, today: date) -> int:
    """Returns the number of entries written. ``today`` is the anchor: the story's dates move to it and
    the two weeks of entries end at its present time of day (core.demo_clock.now_at)."""
    now = story.now_at(today)
    for key, (since, policy) in STATES.items():
        site = named_sites[key]
        site.closed_since, site.visitor_policy = story.story_date(since, today), policy
        site._history_user, site._change_reason = admin, "疫情防控：封闭式管理"
        site.save()
    areas = {key: Area.objects.bulk_create([Area(site=named_sites[key], name=n) for n in names])
             for key, names in AREAS.items()}
    disinfections = []
    for key, site_areas in areas.items():
        for day in range(14):
            for area in site_areas:
                if key == "zhongke" and area.name == "二号厂房" and day < 2:
                    continue  # one area overdue, so the site page has something to flag
                at = now - timedelta(days=day, hours=rng.randint(1, 6))
                disinfections.append(Disinfection(site=area.site, area=area, agent=rng.choice(AGENTS), done_at=at,
                                                  operator=rng.choice(OPERATORS), recorded_by=admin))
    Disinfection.objects.bulk_create(disinfections, batch_size=2000)
    entries = []
    for key in ("workshop", "zhongke", "tbea"):
        site = named_sites[key]
        everyone = list(SitePerson.objects.filter(site=site, relation__in=SitePerson.BELONGS)
                        .order_by("person_id").values_list("person_id", flat=True)[:HEADCOUNT[key]])
        people, more = everyone[:DRAWN], everyone[DRAWN:]
        site_areas = areas[key]
        # The workshop's first three people (by id) weld in one team, in its production area every day:
        # the outbreak demo's case is the first of them, so its trace finds at least two contacts.
        team = set(sorted(people)[:3]) if key == "workshop" else set()
        resumed = story.story_date(RESUMED[key], today) if key in RESUMED else None
        for day in range(14, -1, -1):
            if resumed is not None and today - timedelta(days=day) < resumed:
                continue
            start = timezone.localtime(now - timedelta(days=day)).replace(hour=7, minute=30, second=0, microsecond=0)
            for person_id in people:
                entered = start + timedelta(minutes=rng.randint(0, 90))
                if entered > now:
                    continue
                t = Decimal(rng.choice(["36.2", "36.4", "36.5", "36.6", "36.8", "36.9", "37.0"]))
                fever = rng.random() < 0.002
                if fever:
                    t = Decimal("37.8")
                left = entered + timedelta(hours=9)
                area = rng.choice(site_areas)  # drawn for everyone: the team keeps the others' draws unchanged
                if person_id in team:
                    area = site_areas[0]
                entries.append(Entry(
                    client_uuid=uuid.uuid4(), site=site, area=area, person_id=person_id,
                    entered_at=entered, left_at=None if left > now or fever else left, temperature=t,
                    decision=Decision.REFUSE if fever else Decision.ADMIT, reason=Reason.FEVER if fever else Reason.OK,
                    recorded_by=admin,
                ))
            # The people past the first DRAWN draw from their own generator, so that the demo's rng gives
            # every other draw (this site's first people, the next sites, the apps after) as before.
            extra = random.Random(f"{key}-{day}")
            for person_id in more:
                entered = start + timedelta(minutes=extra.randint(0, 90))
                if entered > now:
                    continue
                left = entered + timedelta(hours=9)
                entries.append(Entry(
                    client_uuid=uuid.uuid4(), site=site, area=extra.choice(site_areas), person_id=person_id,
                    entered_at=entered, left_at=None if left > now else left,
                    temperature=Decimal(extra.choice(["36.3", "36.5", "36.6", "36.8"])), decision=Decision.ADMIT,
                    reason=Reason.OK, recorded_by=admin,
                ))
    entries += _county_gate(admin, named_sites["welfare"], now)
    Entry.objects.bulk_create(entries, batch_size=2000)
    _rotations(admin, named_sites["prison"], today)
    return len(entries)


def _county_gate(admin, welfare, now) -> list[Entry]:
    """invented: a factory in the welfare centre's county (衡南县, the demo county officer's) screens at its gate
    too, so the county's own list measures one of its units (``county_gate_site``), about nine in ten of whose
    people come in each day of the two weeks. Drawn from a generator of its own, so that the demo's rng gives
    every other draw as before."""
    site = county_gate_site(welfare.unit.county_id)
    if site is None:
        return []
    people = county_gate_people(site)
    entries = []
    for day in range(14, -1, -1):
        draw = random.Random(f"county-gate-{day}")
        start = timezone.localtime(now - timedelta(days=day)).replace(hour=7, minute=40, second=0, microsecond=0)
        for person_id in people:
            entered = start + timedelta(minutes=draw.randint(0, 80))
            if draw.random() >= 0.9 or entered > now:
                continue
            left = entered + timedelta(hours=9)
            entries.append(Entry(client_uuid=uuid.uuid4(), site=site, person_id=person_id, entered_at=entered,
                                 left_at=None if left > now else left, temperature=Decimal("36.5"),
                                 decision=Decision.ADMIT, reason=Reason.OK, recorded_by=admin))
    return entries


ROTATION_SIZE = 20  # invented: how many of the prison's staff are on closed duty at once


def _rotations(admin, prison, today: date) -> None:
    """The prison's staff on closed duty (invented: the page says the prison is under fully closed
    management and its officers on duty were thanked, not how they rotate): rotation 2 was on duty for
    the 14 days before last week and ends when the jobs run after the load (its members then go into
    isolation through the outbreak app); rotation 3 is on duty now, until a week ahead. The rest of the
    staff are off duty: the gate refuses them while rotation 3 is on duty."""
    staff = list(SitePerson.objects.filter(site=prison, relation=SitePerson.Relation.STAFF)
                 .order_by("person_id").values_list("person_id", flat=True)[:2 * ROTATION_SIZE])
    half = len(staff) // 2  # ROTATION_SIZE each, fewer in a small demo
    spans = (("第二轮", today - timedelta(days=20), today - timedelta(days=7)),
             ("第三轮", today - timedelta(days=6), today + timedelta(days=7)))
    for (name, start, end), members in zip(spans, (staff[:half], staff[half:]), strict=True):
        if not members:
            continue
        rotation = Rotation(site=prison, name=name, on_duty_from=start, on_duty_until=end, isolation_days=14,
                            created_by=admin)
        audit.record(rotation, admin, "plan")
        rotation.save()
        RotationMember.objects.bulk_create([RotationMember(rotation=rotation, person_id=pk) for pk in members])
