"""Enforcement as a bureau works it (issue 17 §6): an assignee (heads see all), a rectification
deadline, decision documents numbered per kind and year, generated once as PDF with Chinese text and
kept as issued; the case list filtered by county, status, basis and assignee, and exported."""

import io
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import load_workbook

from zhengtong.accounts.models import Role, RoleAssignment
from zhengtong.core.errors import DomainError
from zhengtong.core.money import amount_in_words
from zhengtong.permits import compliance, decisions, selectors
from zhengtong.permits.models import DecisionDocument, EnforcementCase
from zhengtong.permits.tests.test_certificates import squash, tool
from zhengtong.tests_support.factories import UserFactory

pytestmark = pytest.mark.django_db
DECIDED_ON = date(2020, 5, 10)


def new_case(world, **fields) -> EnforcementCase:
    return EnforcementCase.objects.create(**{
        "unit": world.unit_a, "kind": "no_permit", "reference": "x", "violation_date": date(2020, 4, 21),
        "details": "未取得排污许可证排放水污染物", **fields})


def decided(world, measures=("order_correction", "restrict_production"), fine="150000", **kw) -> EnforcementCase:
    return compliance.case_decide(user=world.users[Role.PERMIT_REVIEWER], case=new_case(world, **kw), basis="water83",
                                  measures=list(measures), fine=fine, on=DECIDED_ON, deadline="2020-06-30")


def head(world):
    dept = RoleAssignment.objects.get(user=world.users[Role.PERMIT_REVIEWER]).department
    user = UserFactory(username="head", role=Role.PERMIT_REVIEWER, department=dept)
    RoleAssignment.objects.filter(user=user).update(is_head=True)
    return user


def test_a_rectifying_measure_needs_its_deadline_after_the_decision(world):
    reviewer = world.users[Role.PERMIT_REVIEWER]
    for deadline in (None, "2020-05-10"):  # none; on the day of the decision
        with pytest.raises(DomainError) as e:
            compliance.case_decide(user=reviewer, case=new_case(world, reference=str(deadline)), basis="water83",
                                   measures=["order_correction"], fine="100000", on=DECIDED_ON, deadline=deadline)
        assert "deadline" in e.value.errors
    case = decided(world)
    assert (case.status, case.rectification_deadline) == ("decided", date(2020, 6, 30))


def test_documents_are_numbered_per_kind_and_year_issued_once_and_kept(world):
    reviewer = world.users[Role.PERMIT_REVIEWER]
    case = decided(world)
    assert [t.kind for t in decisions.documents_due(case)] == ["correction", "restriction", "penalty"]
    first = decisions.document_issue(user=reviewer, case=case, kind="correction", on=DECIDED_ON)
    assert first.number == "衡环责改〔2020〕1号" and not first.template_confirmed
    second = decisions.document_issue(user=reviewer, case=decided(world, reference="y"), kind="correction",
                                      on=DECIDED_ON)
    assert second.number == "衡环责改〔2020〕2号"
    penalty = decisions.document_issue(user=reviewer, case=case, kind="penalty", on=DECIDED_ON)
    assert penalty.number == "衡环罚〔2020〕1号"
    with pytest.raises(DomainError) as e:  # once per case and kind
        decisions.document_issue(user=reviewer, case=case, kind="correction", on=DECIDED_ON)
    assert e.value.status == 409
    # the unit renamed afterwards: the issued document keeps what it said, byte for byte
    pdf = bytes(first.pdf)
    world.unit_a.name = "改名后的公司"
    world.unit_a.save()
    first.refresh_from_db()
    assert bytes(first.pdf) == pdf and first.content["unit"]["name"] == "衡南火电厂"
    assert decisions.render_pdf(first.content) == pdf  # made from its content only


def test_a_document_the_decision_does_not_call_for_or_an_open_case_is_refused(world):
    reviewer = world.users[Role.PERMIT_REVIEWER]
    case = decided(world, measures=("order_correction",))
    for kind, status in (("restriction", 409), ("nonsense", 400)):
        with pytest.raises(DomainError) as e:
            decisions.document_issue(user=reviewer, case=case, kind=kind)
        assert e.value.status == status and "kind" in e.value.errors
    with pytest.raises(DomainError):
        decisions.document_issue(user=reviewer, case=new_case(world, reference="open"), kind="correction")
    with pytest.raises(PermissionDenied):
        decisions.document_issue(user=world.users[Role.ENTERPRISE_CLERK], case=case, kind="correction")
    assert not DecisionDocument.objects.exists()


@pytest.mark.parametrize(("amount", "words"), [
    ("100000", "壹拾万元整"), ("1000000", "壹佰万元整"), ("12345.67", "壹万贰仟叁佰肆拾伍元陆角柒分"),
    ("100005", "壹拾万零伍元整"), ("1010000", "壹佰零壹万元整"), ("0.05", "零元零伍分"), ("200000.50", "贰拾万元伍角"),
])
def test_amounts_in_words(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def test_the_correction_order_reads_as_issued(world):
    case = decided(world)
    document = decisions.document_issue(user=world.users[Role.PERMIT_REVIEWER], case=case, kind="correction",
                                        on=DECIDED_ON)
    text = squash(subprocess.run([tool("pdftotext"), "-", "-"], input=bytes(document.pdf), capture_output=True,
                                 check=True).stdout.decode())
    for expected in ("衡阳市生态环境局", "责令改正违法行为决定书", "衡环责改〔2020〕1号", "衡南火电厂",
                     world.unit_a.uscc, "未取得排污许可证排放水污染物", "水污染防治法第八十三条",
                     "责令改正违法行为", "2020-06-30",
                     "模板未经法规文本确认"):
        assert expected in text, expected
    assert "责令限制生产" not in text  # the restriction has its own document


def test_heads_see_all_and_an_officer_sees_their_own_and_the_unassigned(world):
    reviewer, boss = world.users[Role.PERMIT_REVIEWER], head(world)
    other = UserFactory(username="other", role=Role.PERMIT_REVIEWER,
                        department=RoleAssignment.objects.get(user=reviewer).department)
    mine, theirs, nobodys = (new_case(world, reference=r) for r in "abc")
    with pytest.raises(PermissionDenied):  # an officer assigns no one else
        compliance.case_assign(user=reviewer, case=theirs, assignee=other.pk)
    compliance.case_assign(user=reviewer, case=mine, assignee=reviewer.pk)  # takes an unassigned case
    compliance.case_assign(user=boss, case=theirs, assignee=other.pk)
    with pytest.raises(DomainError) as e:  # not an officer of the region
        compliance.case_assign(user=boss, case=nobodys, assignee=world.users[Role.COUNTY_OFFICER].pk)
    assert "assignee" in e.value.errors
    seen = {c.reference for c in selectors.case_list(user=reviewer)}
    assert seen == {"a", "c"}
    assert {c.reference for c in selectors.case_list(user=boss)} == {"a", "b", "c"}
    assert {c.reference for c in selectors.case_list(user=world.users[Role.COUNTY_OFFICER])} == {"a", "b", "c"}
    assert {c.reference for c in selectors.case_list(user=boss, assignee="none")} == {"c"}
    assert {c.reference for c in selectors.case_list(user=boss, assignee=str(other.pk))} == {"b"}
    assert {c.reference for c in selectors.case_list(user=reviewer, assignee="me")} == {"a"}


def test_the_case_list_filters_and_exports_what_it_shows(client, world):
    decided(world)
    new_case(world, reference="z", kind="late_report")
    client.force_login(world.users[Role.COUNTY_OFFICER])
    url = reverse("permits:cases")
    page = client.get(url, {"basis": "water83", "county": world.unit_a.county_id, "sort": "unit"})
    assert page.status_code == 200 and page.content.decode().count('href="/permits/cases/') >= 1
    export = client.get(reverse("permits:case_export"), {"basis": "water83"})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and "水污染防治法 第八十三条" in rows[1]
    everyone = client.get(reverse("permits:case_export"))
    assert len(list(load_workbook(io.BytesIO(everyone.content)).active.iter_rows())) == 3


def test_the_case_page_issues_and_serves_the_document_as_issued(client, world):
    case = decided(world)
    client.force_login(world.users[Role.PERMIT_REVIEWER])
    page = client.get(reverse("permits:case", args=[case.pk])).content.decode()
    assert 'data-testid="issue-correction"' in page and 'data-testid="issue-penalty"' in page
    client.post(reverse("permits:case", args=[case.pk]), {"action": "issue", "kind": "correction"})
    document = DecisionDocument.objects.get()
    served = client.get(reverse("permits:case_document", args=[case.pk, document.pk]))
    assert served["Content-Type"] == "application/pdf" and served.content == bytes(document.pdf)
    client.force_login(world.users[Role.GATEKEEPER])  # no permit work in their scope
    assert client.get(reverse("permits:case_document", args=[case.pk, document.pk])).status_code == 404
