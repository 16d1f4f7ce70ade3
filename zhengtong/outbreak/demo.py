"""The demo city's outbreak picture: one suspected case at the rail-welding workshop, reported by
the screening at its gate the day before the demo's today, for a county officer to confirm or
exclude (and, with the tracing step of issue 18, to trace).

invented: the case, its person (one of the workshop's staff), its dates and its symptoms. The page
reports no case in Hengyang's special sites; this one is the demo's exercise.
"""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from zhengtong.outbreak.models import Case, CaseMove, CaseStatus
from zhengtong.registry.models import SitePerson

LABEL = "cases"


def wipe() -> None:
    CaseMove.objects.all().delete()
    Case.objects.all().delete()


def load(*, admin, named_sites: dict, rng, today: date) -> int:
    site = named_sites["workshop"]
    member = (SitePerson.objects.filter(site=site, relation__in=SitePerson.BELONGS)
              .select_related("person").order_by("person_id").first())
    if member is None:
        return 0
    reported = timezone.make_aware(datetime.combine(today - timedelta(days=1), time(9, 40)))
    case = Case.objects.create(person=member.person, site=site, county=site.county, status=CaseStatus.SUSPECTED,
                               onset_date=today - timedelta(days=2), symptoms="发热（37.9 °C）、干咳",
                               where_found="门岗体温检测", reported_at=reported, reported_by=admin)
    CaseMove.objects.create(case=case, action="report", to_status=CaseStatus.SUSPECTED, at=reported, by=admin,
                            reason="门岗测温发热，已送发热门诊")
    return 1
