"""The permit pages: catalogue, facts and class, registration, campaign, public list, and who
may reach each."""

from datetime import date

import pytest
from django.urls import reverse

from zhengtong.accounts.models import Role
from zhengtong.permits import services
from zhengtong.permits.models import Application, Campaign, CampaignIndustry, Registration, UnitFacts
from zhengtong.registry.models import Industry
from zhengtong.tests_support.factories import UnitFactory

pytestmark = pytest.mark.django_db

NO_GENERAL = {"has_boiler": "no", "has_furnace": "no", "has_surface_treatment": "no", "has_water_treatment": "no"}
ART7_NONE = {"on_key_list": "no", "so2_tpy": "0", "nox_tpy": "0", "dust_tpy": "0", "cod_tpy": "0",
             "total_nitrogen_tpy": "0", "total_phosphorus_tpy": "0", "ammonia_oil_phenol_tpy": "0",
             "max_toxic_pollution_equivalent": "0"}


def login(client, world, role):
    client.force_login(world.users[role])
    return client


def registration_unit(world):
    """unit_a as a registration-class unit: a small boiler, outside the catalogue's industries."""
    unit = world.unit_a
    unit.industry = Industry.objects.get(code="5211")
    unit.save()
    UnitFacts.objects.create(unit=unit, facts={
        "has_boiler": True, "boiler_max_tph": 2, "boiler_total_tph": 2, "has_furnace": False,
        "has_surface_treatment": False, "has_water_treatment": False, "on_key_list": False,
        **{k: 0 for k in ART7_NONE if k != "on_key_list"}})
    services.unit_classify(unit=unit)
    return unit


def test_the_catalogue_is_public_and_finds_a_row_by_industry_code(client):
    response = client.get(reverse("permits:catalogue"), {"q": "2221"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "机制纸及纸板制造2221" in body and "纸浆制造221" not in body


def test_a_catalogue_row_page_shows_the_printed_text_and_the_facts_it_asks(client):
    body = client.get(reverse("permits:catalogue_row", args=[109])).content.decode()
    assert "单台或者合计出力20吨/小时（14兆瓦）及以上的锅炉" in body and "boiler_total_tph" in body
    assert client.get(reverse("permits:catalogue_row", args=[113])).status_code == 404


def test_the_clerk_declares_facts_and_sees_the_deciding_row(client, world):
    login(client, world, Role.ENTERPRISE_CLERK)
    unit = world.unit_a  # industry 3011 (cement): row 63
    response = client.post(reverse("permits:unit_facts", args=[unit.pk]),
                           {**NO_GENERAL, "on_key_list": "no", "3011:cement_clinker": "yes"})
    assert response.status_code == 302
    body = client.get(reverse("permits:unit", args=[unit.pk])).content.decode()
    assert 'data-class="key"' in body and "63" in body


def test_a_negative_number_is_shown_on_its_field_and_nothing_changes(client, world):
    login(client, world, Role.ENTERPRISE_CLERK)
    response = client.post(reverse("permits:unit_facts", args=[world.unit_a.pk]),
                           {"has_boiler": "yes", "boiler_total_tph": "-5"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert 'id="boiler_total_tph-errors"' in response.content.decode()
    assert not UnitFacts.objects.filter(unit=world.unit_a).exists()


@pytest.mark.parametrize("role", [Role.ENTERPRISE_CLERK, Role.COUNTY_OFFICER, Role.PERMIT_REVIEWER])
def test_another_countys_unit_is_not_found(client, world, role):
    login(client, world, role)
    for name in ("permits:unit", "permits:unit_facts", "permits:registration_file"):
        assert client.get(reverse(name, args=[world.unit_b.pk])).status_code == 404


@pytest.mark.parametrize("role", [Role.COUNTY_OFFICER, Role.PERMIT_REVIEWER, Role.SITE_MANAGER])
def test_only_the_clerk_declares(client, world, role):
    login(client, world, role)
    assert client.get(reverse("permits:unit_facts", args=[world.unit_a.pk])).status_code == 403


def test_the_reviewer_classifies_the_registry_and_sees_the_counts(client, world):
    UnitFactory(county_code="430422", industry_code="2221")
    login(client, world, Role.PERMIT_REVIEWER)
    response = client.post(reverse("permits:classification_run"), follow=True)
    body = response.content.decode()
    assert response.status_code == 200 and 'data-testid="by-county"' in body and "衡南县" in body


def test_a_clerk_cannot_classify_the_registry(client, world):
    login(client, world, Role.ENTERPRISE_CLERK)
    assert client.post(reverse("permits:classification_run")).status_code == 403


def test_a_registration_is_recorded_at_once_with_its_number_and_receipt(client, world):
    unit = registration_unit(world)
    login(client, world, Role.ENTERPRISE_CLERK)
    response = client.post(reverse("permits:registration_file", args=[unit.pk]), {
        "address": "衡南县云集镇", "legal_representative": "王五", "contact_name": "赵六",
        "contact_phone": "0734-1234567", "discharge_destinations": "锅炉烟气经15米排气筒排放",
        "standards": "GB 13271-2014", "control_measures": "低氮燃烧"})
    registration = Registration.objects.get(fixed_source__unit=unit)
    assert response.status_code == 302
    assert registration.number == f"{unit.uscc}001P" and registration.management_class == "registration"
    receipt = client.get(response["Location"]).content.decode()
    assert registration.number in receipt and "GB 13271-2014" in receipt


def test_a_registration_form_missing_fields_names_each(client, world):
    unit = registration_unit(world)
    login(client, world, Role.ENTERPRISE_CLERK)
    response = client.post(reverse("permits:registration_file", args=[unit.pk]), {"address": "x"})
    body = response.content.decode()
    assert response.status_code == 200 and 'id="standards-errors"' in body and 'id="control_measures-errors"' in body
    assert not Registration.objects.exists()


def test_the_campaign_lists_units_past_due(client, world):
    UnitFactory(county_code="430422", industry_code="2221", name="逾期造纸厂")
    services.units_classify(user=world.users[Role.CITY_ADMIN])
    campaign = Campaign.objects.create(name="2020年排污许可", early_deadline=date(2020, 4, 20),
                                       late_deadline=date(2020, 9, 20))
    CampaignIndustry.objects.create(campaign=campaign, industry=Industry.objects.get(code="2221"))
    login(client, world, Role.PERMIT_REVIEWER)
    body = client.get(reverse("permits:campaign"), {"past_due": "1"}).content.decode()
    assert "逾期造纸厂" in body and "2020-04-20" in body


def test_the_public_list_needs_no_login_and_searches_by_number(client, world):
    unit = registration_unit(world)
    services.registration_file(user=world.users[Role.ENTERPRISE_CLERK], unit=unit, data={
        "address": "a", "legal_representative": "b", "contact_name": "c", "contact_phone": "0734-1234567",
        "discharge_destinations": "d", "standards": "e", "control_measures": "f"})
    body = client.get(reverse("permits:public"), {"q": unit.uscc[:10]}).content.decode()
    assert f"{unit.uscc}001P" in body
    assert f"{unit.uscc}001P" not in client.get(reverse("permits:public"), {"q": "不存在的单位"}).content.decode()


def test_the_clerk_drafts_in_the_table_and_the_reviewer_issues(client, world):
    from zhengtong.permits.models import Application, Permit

    unit = world.unit_a
    unit.industry = Industry.objects.get(code="2223")
    unit.save()
    UnitFacts.objects.create(unit=unit, facts={
        "has_boiler": False, "has_furnace": False, "has_surface_treatment": False, "has_water_treatment": False,
        "industrial_wastewater": True, "industrial_waste_gas": True, "in_industrial_building": True})
    services.unit_classify(unit=unit)
    login(client, world, Role.ENTERPRISE_CLERK)
    response = client.post(reverse("permits:application_start", args=[unit.pk]))
    application = Application.objects.get(fixed_source__unit=unit)
    assert response["Location"] == reverse("permits:application_edit", args=[application.pk])
    form = {"unit_name": unit.name, "address": "衡南县", "legal_representative": "王五", "contact_name": "赵六",
            "contact_phone": "0734-1234567", "production_description": "涂布纸", "monitoring_plan": "每季度监测",
            "facility-0-name": "涂布机", "facility-0-kind": "production", "facility-0-capacity": "1万吨",
            "limit-0-code": "dw001", "limit-0-name": "总排口", "limit-0-destination": "市政管网",
            "limit-0-pollutant": "化学需氧量", "limit-0-concentration": "500", "limit-0-concentration_unit": "mg/L",
            "limit-0-annual_quantity": "3", "limit-0-standard": "GB 8978-1996",
            "limit-1-code": "", "limit-1-name": "", "limit-1-destination": "", "limit-1-pollutant": "",
            "limit-1-concentration": "", "limit-1-concentration_unit": "", "limit-1-annual_quantity": "",
            "limit-1-standard": "", "then": "submit"}
    bad = {**form, "limit-0-concentration_unit": ""}
    response = client.post(reverse("permits:application_edit", args=[application.pk]), bad)
    assert response.status_code == 200 and 'data-testid="table-errors"' in response.content.decode()
    client.post(reverse("permits:application_edit", args=[application.pk]), form)
    application.refresh_from_db()
    assert application.status == "submitted"

    login(client, world, Role.PERMIT_REVIEWER)
    page = client.get(reverse("permits:applications")).content.decode()
    assert unit.name in page and 'data-testid="clock"' in page
    for action in ("accept", "approve", "issue"):
        response = client.post(reverse("permits:application_move", args=[application.pk, action]))
        assert response.status_code == 302, action
    permit = Permit.objects.get(application=application)
    body = client.get(reverse("permits:permit", args=[permit.pk])).content.decode()
    assert permit.number in body and "化学需氧量" in body
    pdf = client.get(reverse("permits:permit_certificate", args=[permit.pk, "duplicate"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client.get(reverse("permits:permit_certificate", args=[permit.pk, "other"])).status_code == 404
    client.force_login(world.users[Role.ENTERPRISE_CLERK])
    other_clerk_view = client.get(reverse("permits:permit", args=[permit.pk]))
    assert other_clerk_view.status_code == 200  # the unit's own clerk


def test_a_move_the_state_does_not_allow_is_shown_as_an_error(client, world):

    application = _paper_mill_application(world)
    login(client, world, Role.PERMIT_REVIEWER)
    response = client.post(reverse("permits:application_move", args=[application.pk, "issue"]), follow=True)
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == "draft"
    login(client, world, Role.ENTERPRISE_CLERK)
    assert client.post(reverse("permits:application_move", args=[application.pk, "accept"])).status_code == 403


def test_another_countys_users_cannot_reach_a_permit_or_its_certificate(client, world):
    permit = _issued_permit(world)
    application = permit.application
    from zhengtong.tests_support.factories import UserFactory

    other = UserFactory(username="clerk-b", role=Role.ENTERPRISE_CLERK, unit=world.unit_b)
    client.force_login(other)
    for url in (reverse("permits:permit", args=[permit.pk]),
                reverse("permits:permit_certificate", args=[permit.pk, "original"]),
                reverse("permits:application", args=[application.pk])):
        assert client.get(url).status_code == 404, url


def _paper_mill_application(world):
    """An application of unit_a made a paper mill (2221, key management), opened by its clerk."""
    from zhengtong.permits import workflow

    unit = world.unit_a
    unit.industry = Industry.objects.get(code="2221")
    unit.save()
    services.unit_classify(unit=unit)
    return workflow.application_create(user=world.users[Role.ENTERPRISE_CLERK], unit=unit)


def _issued_permit(world):
    from zhengtong.permits.tests.factories import issued_permit

    outlet = {"code": "DW001", "name": "总排口", "medium": "W", "limits": [
        {"pollutant": "氨氮", "concentration": "8", "concentration_unit": "mg/L", "annual_quantity": "1"}]}
    return issued_permit(world, valid_until=date(2030, 3, 31), cadence=("annual",), outlets=(outlet,))


def test_the_clerk_files_a_report_and_an_exceedance_is_flagged(client, world):
    permit = _issued_permit(world)
    login(client, world, Role.ENTERPRISE_CLERK)
    page = client.get(reverse("permits:permit", args=[permit.pk])).content.decode()
    assert 'data-testid="expected-reports"' in page
    response = client.post(reverse("permits:report_file", args=[permit.pk]), {
        "kind": "annual", "period_start": "2021-01-01", "v-0-concentration": "9.5", "v-0-unit": "mg/L",
        "v-0-quantity": "0.8"})
    assert response.status_code == 302
    report = client.get(response["Location"]).content.decode()
    assert 'data-testid="exceedances"' in report and "9.5" in report


def test_a_bad_report_period_is_shown(client, world):
    permit = _issued_permit(world)
    login(client, world, Role.ENTERPRISE_CLERK)
    response = client.post(reverse("permits:report_file", args=[permit.pk]), {
        "kind": "annual", "period_start": "2019-01-01", "v-0-quantity": "1"})
    assert response.status_code == 200 and 'data-testid="form-errors"' in response.content.decode()


def test_the_reviewer_decides_and_closes_a_case_on_its_page(client, world):
    from zhengtong.permits.models import EnforcementCase

    case = EnforcementCase.objects.create(unit=world.unit_a, kind="no_permit", reference="x",
                                          violation_date=date(2020, 5, 1))
    login(client, world, Role.PERMIT_REVIEWER)
    page = client.get(reverse("permits:case", args=[case.pk])).content.decode()
    assert "水污染防治法 第八十三条" in page and "排污许可管理条例 第三十三条" not in page
    client.post(reverse("permits:case", args=[case.pk]), {
        "action": "decide", "basis": "air99", "measures": ["order_correction"], "fine": "200000",
        "deadline": "2099-12-31"})
    case.refresh_from_db()
    assert case.status == "decided" and case.fine == 200000
    client.post(reverse("permits:case", args=[case.pk]), {"action": "close", "note": "已整改"})
    case.refresh_from_db()
    assert case.status == "closed"
    login(client, world, Role.ENTERPRISE_CLERK)
    assert client.post(reverse("permits:case", args=[case.pk]), {"action": "close", "note": "x"}).status_code == 403
    other = UnitFactory(county_code="430421")
    other_case = EnforcementCase.objects.create(unit=other, kind="no_permit", reference="y",
                                                violation_date=date(2020, 5, 1))
    login(client, world, Role.PERMIT_REVIEWER)
    assert client.get(reverse("permits:case", args=[other_case.pk])).status_code == 404


def test_documents_attach_to_a_draft_only_and_are_served_to_those_who_see_it(client, world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhengtong.tests_support.factories import UserFactory

    settings.MEDIA_ROOT = tmp_path
    application = _paper_mill_application(world)
    login(client, world, Role.ENTERPRISE_CLERK)
    url = reverse("permits:document_upload", args=[application.pk])
    client.post(url, {"file": SimpleUploadedFile("evil.exe", b"MZ")})
    assert not application.documents.exists()
    client.post(url, {"file": SimpleUploadedFile("环评批复.pdf", b"%PDF-1.4 test")})
    document = application.documents.get()
    assert document.name == "环评批复.pdf" and document.size == 13
    response = client.get(reverse("permits:document", args=[application.pk, document.pk]))
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    client.force_login(UserFactory(username="clerk-b2", role=Role.ENTERPRISE_CLERK, unit=world.unit_b))
    assert client.get(reverse("permits:document", args=[application.pk, document.pk])).status_code == 404


def test_the_statistics_count_valid_permits_by_county_and_first_permits_by_year(client, world):
    _issued_permit(world)
    login(client, world, Role.PERMIT_REVIEWER)
    body = client.get(reverse("permits:classification")).content.decode()
    assert 'data-testid="permits-by-county"' in body and "2020: 1" in body
    assert "<td>衡南县</td><td>1</td><td>0</td><td>0</td>" in body


def test_the_home_page_shows_the_clerk_and_the_reviewer_their_permit_work(client, world):
    from zhengtong.permits import workflow

    unit = world.unit_a
    unit.industry = Industry.objects.get(code="2221")
    unit.save()
    services.unit_classify(unit=unit)
    login(client, world, Role.ENTERPRISE_CLERK)
    body = client.get(reverse("home")).content.decode()
    assert reverse("permits:unit", args=[unit.pk]) in body
    application = workflow.application_create(user=world.users[Role.ENTERPRISE_CLERK], unit=unit)
    application.status, application.received_on = "submitted", date(2020, 3, 2)
    application.save()
    login(client, world, Role.PERMIT_REVIEWER)
    body = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("permits:applications") in body and 'class="clock overdue"' in body


@pytest.mark.parametrize("role", [Role.GATEKEEPER, Role.SITE_MANAGER, Role.DEPARTMENT_OFFICER])
def test_roles_without_permit_work_do_not_read_applications_reports_or_cases(client, world, role):
    from zhengtong.permits.models import EnforcementCase

    permit = _issued_permit(world)
    case = EnforcementCase.objects.create(unit=world.unit_a, kind="no_permit", reference="r",
                                          violation_date=date(2020, 5, 1))
    login(client, world, role)
    for url in (reverse("permits:application", args=[permit.application_id]), reverse("permits:case", args=[case.pk])):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("role", [Role.GATEKEEPER, Role.SITE_MANAGER, Role.DEPARTMENT_OFFICER])
def test_a_permit_the_unit_page_lists_opens_for_whoever_sees_the_unit_without_its_reports(client, world, role):
    """Issue 15 (scope escapes): the unit's page listed permits that then answered 404. A permit
    and its certificate are public for whoever sees the unit; its reports and history are not."""
    permit = _issued_permit(world)
    login(client, world, role)
    unit_page = client.get(reverse("permits:unit", args=[world.unit_a.pk])).content.decode()
    assert reverse("permits:permit", args=[permit.pk]) in unit_page
    response = client.get(reverse("permits:permit", args=[permit.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.content.decode()
    assert permit.number in body and 'data-testid="public-only"' in body
    assert 'data-testid="expected-reports"' not in body and reverse("permits:report_file", args=[permit.pk]) not in body
    pdf = client.get(reverse("permits:permit_certificate", args=[permit.pk, "original"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    login(client, world, Role.PERMIT_REVIEWER)  # the permit work of the unit's region sees the reports
    body = client.get(reverse("permits:permit", args=[permit.pk])).content.decode()
    assert 'data-testid="expected-reports"' in body and 'data-testid="public-only"' not in body


def test_a_permit_of_a_unit_out_of_sight_is_not_found(client, world):
    from zhengtong.permits.tests.factories import issued_permit

    other = issued_permit(world, unit=world.unit_b)
    login(client, world, Role.DEPARTMENT_OFFICER)
    assert client.get(reverse("permits:permit", args=[other.pk])).status_code == 404
    assert client.get(reverse("permits:permit_certificate", args=[other.pk, "original"])).status_code == 404


def test_a_county_reviewer_cannot_run_the_city_wide_scan(client, world):
    login(client, world, Role.PERMIT_REVIEWER)
    assert client.post(reverse("permits:case_scan")).status_code == 403
    login(client, world, Role.CITY_ADMIN)
    assert client.post(reverse("permits:case_scan")).status_code == 302


def test_a_row_that_gives_no_class_shows_what_the_text_leaves_open(client, world):
    from zhengtong.permits.catalogue import load_catalogue

    unit = world.unit_a
    unit.industry = Industry.objects.get(code="4415")  # wind power: row 95 names only 4411, 4412, 4417
    unit.save()
    UnitFacts.objects.create(unit=unit, facts={k: v for k, v in {
        "has_boiler": False, "has_furnace": False, "has_surface_treatment": False, "has_water_treatment": False,
    }.items()})
    services.unit_classify(unit=unit)
    login(client, world, Role.ENTERPRISE_CLERK)
    body = client.get(reverse("permits:unit", args=[unit.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    note = load_catalogue().rows[95].note
    assert note and note[:40] in body.replace("&#x27;", "'").replace("&quot;", '"')


def test_the_permit_page_offers_each_role_its_moves_and_an_ended_permit_none(client, world):
    permit = _issued_permit(world)
    url = reverse("permits:permit", args=[permit.pk])
    login(client, world, Role.ENTERPRISE_CLERK)
    page = client.get(url).content.decode()
    assert 'value="renewal"' in page and 'value="change"' in page
    assert 'value="cancel"' in page and 'value="revoke"' not in page
    login(client, world, Role.PERMIT_REVIEWER)
    page = client.get(url).content.decode()
    assert 'value="revoke"' in page and 'value="cancel"' in page and 'value="renewal"' not in page
    permit.status = "revoked"
    permit.save()
    page = client.get(url).content.decode()
    assert 'value="revoke"' not in page and 'value="cancel"' not in page


def test_a_class_undetermined_for_a_missing_number_shows_the_unit_page_naming_the_number(client, world):
    unit = registration_unit(world)  # a boiler whose total output is not declared yet: undetermined
    facts = UnitFacts.objects.get(unit=unit)
    del facts.facts["boiler_total_tph"], facts.facts["boiler_max_tph"]
    facts.save()
    classification = services.unit_classify(unit=unit)
    assert classification.management_class == "undetermined" and "boiler_total_tph" in classification.missing
    login(client, world, Role.ENTERPRISE_CLERK)
    response = client.get(reverse("permits:unit", args=[unit.pk]))
    assert response.status_code == 200
    assert "锅炉" in response.content.decode()


def test_an_application_names_its_basic_information_and_what_is_missing_not_their_keys(client, world):
    unit = registration_unit(world)
    unit.industry = Industry.objects.get(code="2221")
    unit.save()
    services.unit_classify(unit=unit)
    login(client, world, Role.ENTERPRISE_CLERK)
    client.post(reverse("permits:application_start", args=[unit.pk]))
    application = Application.objects.get(fixed_source__unit=unit)
    body = client.get(reverse("permits:application", args=[application.pk])).content.decode()
    assert "<dt>单位名称</dt>" in body and "<dt>unit_name</dt>" not in body
    assert 'data-testid="missing"' in body and "legal_representative:" not in body


def test_the_classification_page_title_is_text(client, world):
    login(client, world, Role.PERMIT_REVIEWER)
    body = client.get(reverse("permits:classification")).content.decode()
    title = body.split("<title>")[1].split("</title>")[0]
    assert "<" not in title and "有效排污许可证" not in title


def test_a_document_past_the_upload_cap_is_refused_by_name_before_it_is_read(client, world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile


    settings.MEDIA_ROOT = tmp_path
    settings.DOCUMENT_MAX_MB = 1
    application = _paper_mill_application(world)
    login(client, world, Role.ENTERPRISE_CLERK)
    big = SimpleUploadedFile("环评.pdf", b"%PDF-1.4" + b"x" * (2 * 1024 * 1024))
    response = client.post(reverse("permits:document_upload", args=[application.pk]), {"file": big}, follow=True)
    assert not application.documents.exists()
    assert "申请材料：每个文件不超过1 MB。" in [str(m) for m in response.context["messages"]]
    assert "每个文件不超过1 MB。" in response.content.decode()  # the form says the cap in force
