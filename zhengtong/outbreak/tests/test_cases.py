"""Cases (issue 18, step 1): reporting, the state table and its moves with who, when and why,
scopes, the pages, the access log and the site's "days without a case"."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from zhengtong.accounts.models import Role
from zhengtong.core.errors import DomainError
from zhengtong.core.models import AccessRecord
from zhengtong.outbreak import selectors, services
from zhengtong.outbreak.models import Case, CaseStatus
from zhengtong.tests_support.statemachines import docstring_tables

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def report(w, role=Role.SITE_MANAGER, **data):
    data = {"site": w.site_a.pk, "onset_date": (TODAY() - timedelta(days=1)).isoformat(), **data}
    return services.case_report(user=w.users[role], person=w.person_a, data=data)


def error_fields(excinfo) -> set[str]:
    return set(excinfo.value.errors)


def test_the_docstring_table_is_the_table_the_code_runs():
    assert docstring_tables(services.__doc__) == [services.CASES.as_rows()]


def test_a_site_manager_reports_a_suspected_case_with_its_first_move(world):
    case = report(world, symptoms="发热", where_found="门岗")
    assert (case.status, case.site, case.county) == (CaseStatus.SUSPECTED, world.site_a, world.site_a.county)
    first = case.moves.get()
    assert (first.action, first.to_status, first.by) == ("report", "suspected", world.users[Role.SITE_MANAGER])


@pytest.mark.parametrize(("data", "field"), [
    ({"onset_date": ""}, "onset_date"),  # neither onset nor sample
    ({"onset_date": "2999-01-01"}, "onset_date"),
    ({"onset_date": "", "sample_date": "tomorrow"}, "sample_date"),
    ({"site": "99999999"}, "site"),
    ({"status": "recovered"}, "status"),
    ({"symptoms": "x" * 501}, "symptoms"),
])
def test_bad_reports_name_their_field_and_save_nothing(world, data, field):
    with pytest.raises(DomainError) as e:
        report(world, **data)
    assert field in error_fields(e)
    assert not Case.objects.exists()


def test_a_case_without_symptoms_is_reported_by_its_sample_date(world):
    case = report(world, onset_date="", sample_date=TODAY().isoformat())
    assert case.first_day == TODAY()


def test_a_second_open_case_for_one_person_is_a_conflict(world):
    first = report(world)
    with pytest.raises(DomainError) as e:
        report(world, role=Role.COUNTY_OFFICER)
    assert e.value.status == 409 and "person" in error_fields(e) and str(first.pk) in e.value.message


def test_who_may_report_and_decide(world):
    with pytest.raises(PermissionDenied):  # a site manager suspects; the county confirms
        report(world, status="confirmed")
    with pytest.raises(PermissionDenied):
        report(world, role=Role.GATEKEEPER)
    case = report(world)
    for role in (Role.SITE_MANAGER, Role.GATEKEEPER, Role.DEPARTMENT_OFFICER, Role.ENTERPRISE_CLERK):
        with pytest.raises(PermissionDenied):
            services.case_move(user=world.users[role], case=case, action="confirm", reason="阳性")
        assert services.case_moves_allowed(user=world.users[role], case=case) == {}
    assert set(services.case_moves_allowed(user=world.users[Role.COUNTY_OFFICER], case=case)) == {"confirm", "exclude"}
    # a county officer of the county reports a confirmed case at once (a laboratory's result)
    case.status = CaseStatus.EXCLUDED
    case.save()
    assert report(world, role=Role.COUNTY_OFFICER, status="confirmed").status == CaseStatus.CONFIRMED


def test_moves_follow_the_table_and_keep_their_reasons(world):
    county = world.users[Role.COUNTY_OFFICER]
    case = report(world)
    with pytest.raises(DomainError) as e:
        services.case_move(user=county, case=case, action="confirm", reason="  ")
    assert "reason" in error_fields(e)
    services.case_move(user=county, case=case, action="confirm", reason="核酸检测阳性")
    with pytest.raises(DomainError) as e:  # a confirmed case does not go back without a reason
        services.case_move(user=county, case=case, action="correct", reason="")
    assert "reason" in error_fields(e)
    with pytest.raises(DomainError) as e:  # an excluded one cannot recover: the table says so
        services.case_move(user=county, case=case, action="exclude", reason="复核阴性")
    assert e.value.status == 409
    services.case_move(user=county, case=case, action="correct", reason="送检样本弄混，复核中")
    services.case_move(user=county, case=case, action="exclude", reason="复核阴性")
    with pytest.raises(DomainError):
        services.case_move(user=county, case=case, action="fly", reason="x")
    moves = list(case.moves.values_list("action", "from_status", "to_status", "reason"))
    assert moves[0][:3] == ("report", "", "suspected") and moves[0][3]  # a report without a note says "reported"
    assert moves[1:] == [("confirm", "suspected", "confirmed", "核酸检测阳性"),
                     ("correct", "confirmed", "suspected", "送检样本弄混，复核中"),
                     ("exclude", "suspected", "excluded", "复核阴性")]
    assert Case.objects.get(pk=case.pk).status == CaseStatus.EXCLUDED


def test_correcting_back_to_open_refuses_a_second_open_case(world):
    county = world.users[Role.COUNTY_OFFICER]
    first = report(world)
    services.case_move(user=county, case=first, action="exclude", reason="阴性")
    report(world)  # a new episode
    with pytest.raises(DomainError) as e:
        services.case_move(user=county, case=first, action="correct", reason="复核")
    assert e.value.status == 409


def test_scopes_of_cases(world):
    case = report(world)
    sees = {role: selectors.case_list(user=u).filter(pk=case.pk).exists() for role, u in world.users.items()}
    assert sees == {Role.CITY_ADMIN: True, Role.COUNTY_OFFICER: True, Role.SITE_MANAGER: True,
                    Role.GATEKEEPER: False, Role.DEPARTMENT_OFFICER: False, Role.ENTERPRISE_CLERK: False,
                    Role.PERMIT_REVIEWER: False, "none": False}


def test_days_without_a_case(world):
    assert selectors.days_since_last_case(site=world.site_a) is None
    report(world, onset_date=(TODAY() - timedelta(days=3)).isoformat())
    assert selectors.days_since_last_case(site=world.site_a) == 3
    assert selectors.days_since_last_case(site=world.site_b) is None


def test_the_pages(world, client):
    client.force_login(world.users[Role.SITE_MANAGER])
    r = client.get(f"/outbreak/cases/new/?person={world.person_a.pk}")
    assert r.status_code == 200
    r = client.post("/outbreak/cases/new/", {"person": world.person_a.pk, "site": world.site_a.pk,
                                             "status": "suspected", "onset_date": "2999-01-01"})
    assert r.status_code == 400 and "onset_date" in r.context["form"].errors
    r = client.post("/outbreak/cases/new/", {"person": world.person_a.pk, "site": world.site_a.pk,
                                             "status": "suspected", "onset_date": TODAY().isoformat()})
    case = Case.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/outbreak/cases/{case.pk}/"
    assert client.get(f"/outbreak/cases/{case.pk}/").status_code == 200
    assert AccessRecord.objects.filter(kind="case", subject_type="case", subject_id=case.pk).count() == 1
    assert client.post(f"/outbreak/cases/{case.pk}/move/confirm/", {"reason": "x"}).status_code == 403
    assert b"days_since_case" in client.get(f"/screening/sites/{world.site_a.pk}/").content

    client.force_login(world.users[Role.COUNTY_OFFICER])
    r = client.post(f"/outbreak/cases/{case.pk}/move/confirm/", {"reason": ""})
    assert r.status_code == 400 and r.context["form"].errors["reason"]
    r = client.post(f"/outbreak/cases/{case.pk}/move/confirm/", {"reason": "核酸阳性"})
    assert r.status_code == 302 and Case.objects.get().status == CaseStatus.CONFIRMED
    r = client.get("/outbreak/cases/?status=confirmed")
    assert r.status_code == 200 and list(r.context["page"]) == [case]
    assert AccessRecord.objects.filter(kind="case", subject_type="list").exists()
    assert client.get("/").status_code == 200

    for role in (Role.GATEKEEPER, Role.DEPARTMENT_OFFICER, Role.ENTERPRISE_CLERK):
        client.force_login(world.users[role])
        assert client.get(f"/outbreak/cases/{case.pk}/").status_code == 404
        assert client.get("/outbreak/cases/").status_code == 404
        assert client.get(f"/outbreak/cases/new/?person={world.person_a.pk}").status_code in (403, 404)


def test_a_county_officer_of_another_county_sees_nothing(world):
    from zhengtong.tests_support.factories import UserFactory

    case = report(world)
    other = UserFactory.create(username="other-county", role=Role.COUNTY_OFFICER, region=world.site_b.county)
    assert not selectors.case_list(user=other).exists()
    with pytest.raises(PermissionDenied):
        services.case_move(user=other, case=case, action="confirm", reason="x")
