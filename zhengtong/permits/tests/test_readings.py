"""Open readings: where the catalogue's text does not settle a class, the result is "needs review"
with both readings and the words that leave it open; a permit reviewer's decision, with its
reason, is kept, shown and used until the facts it rests on change; then the unit is asked
again and the old decision stays in the history."""

import csv
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from zhengtong.accounts.models import Role
from zhengtong.core.errors import DomainError
from zhengtong.permits import services, workflow
from zhengtong.permits.catalogue import CATALOGUE_CSV, load_catalogue
from zhengtong.permits.classification import GENERAL_ONLY, PERMIT_LINES, REVIEW, WHOLE, classify
from zhengtong.permits.models import Classification, ReadingDecision, UnitFacts
from zhengtong.registry.models import Industry

NO_GENERAL = {"has_boiler": False, "has_furnace": False, "has_surface_treatment": False,
              "has_water_treatment": False, "on_key_list": False, "in_industrial_building": True}
ART7_NONE = {"so2_tpy": 0, "nox_tpy": 0, "dust_tpy": 0, "cod_tpy": 0, "total_nitrogen_tpy": 0,
             "total_phosphorus_tpy": 0, "ammonia_oil_phenol_tpy": 0, "max_toxic_pollution_equivalent": 0}
SMALL_BOILER = {"has_boiler": True, "boiler_max_tph": 1, "boiler_total_tph": 1}
RETAIL = "5211"  # no row names it: row 108


def decide(result, choice: str) -> dict[str, str]:
    (point,) = [p for p in result.open if not p.chosen]
    return {point.key: choice}


# The engine ----------------------------------------------------------------------------------


def test_every_reading_quotes_the_catalogues_own_words():
    with open(CATALOGUE_CSV, encoding="utf-8", newline="") as f:
        cells = {int(r["row"]): r for r in csv.DictReader(f)}
    readings = load_catalogue().readings
    assert set(readings) == {"art7_without_general", "row61_rubber_threshold", "row62_plastics_threshold",
                             "row75_deng", "art5_one_permit", "art6_registration"}
    for number in (61, 62, 75):
        reading = next(r for r in readings.values() if r.rows == (number,))
        assert reading.quote in cells[number]["simplified"] + cells[number]["key"]
    assert "存在本名录第七条规定情形之一的" in cells[108]["key"]
    assert "存在本名录第七条规定情形之一的" in readings["art7_without_general"].quote


def test_row_108_with_an_art7_case_and_no_general_process_needs_review():
    facts = {**NO_GENERAL, **ART7_NONE, "so2_tpy": 300}
    result = classify([RETAIL], facts)
    assert result.management_class == REVIEW and result.at_least is None
    assert [p.reading for p in result.open] == ["art7_without_general"]
    key = classify([RETAIL], facts, decisions=decide(result, "a"))
    assert key.management_class == "key" and key.scope == WHOLE and key.deciding.row == 108
    none = classify([RETAIL], facts, decisions=decide(result, "b"))
    assert none.management_class == "none" and "art8_not_in_catalogue" in none.notes


def test_row_108_with_an_art7_case_and_a_general_process_is_key_for_the_whole_facility():
    result = classify([RETAIL], {**NO_GENERAL, **ART7_NONE, **SMALL_BOILER, "so2_tpy": 300})
    assert result.management_class == "key" and result.scope == WHOLE and not result.open


def test_row_108_without_an_art7_case_is_not_open():
    assert classify([RETAIL], {**NO_GENERAL, **ART7_NONE}).management_class == "none"
    result = classify([RETAIL], {**NO_GENERAL, **ART7_NONE, **SMALL_BOILER})
    assert result.management_class == "registration" and result.scope == GENERAL_ONLY and not result.open


@pytest.mark.parametrize("code, facts, a, b", [
    ("2913", {"rubber_consumption_tpy": 1999}, "simplified", "registration"),
    ("2923", {"plastics_output_tpy": 500, "plastics_modification": True}, "simplified", "registration"),
    ("3219", {"listed_common_nonferrous_smelting": False}, "key", "registration"),
])
def test_a_rows_open_reading_gives_the_class_the_reviewer_chose(code, facts, a, b):
    facts = {**NO_GENERAL, **facts}
    result = classify([code], facts)
    assert result.management_class == REVIEW
    assert classify([code], facts, decisions=decide(result, "a")).management_class == a
    assert classify([code], facts, decisions=decide(result, "b")).management_class == b


def test_a_threshold_met_on_both_readings_is_not_open():
    assert classify(["2913"], {**NO_GENERAL, "rubber_consumption_tpy": 2000}).management_class == "simplified"
    assert classify(["2913"], {**NO_GENERAL, "on_key_list": True}).management_class == "key"


def test_art5_one_permit_over_a_line_at_registration_level_needs_review_of_what_it_covers():
    facts = {**NO_GENERAL}
    result = classify(["2221", "3021"], facts)  # paper (row 37, key) and cement products (row 63, registration)
    assert result.management_class == REVIEW and result.at_least == "key"
    assert [p.reading for p in result.open] == ["art5_one_permit"]
    whole = classify(["2221", "3021"], facts, decisions=decide(result, "a"))
    assert (whole.management_class, whole.scope) == ("key", WHOLE)
    lines = classify(["2221", "3021"], facts, decisions=decide(result, "b"))
    assert (lines.management_class, lines.scope) == ("key", PERMIT_LINES)


def test_art5_two_lines_needing_permits_are_not_open():
    result = classify(["2221", "2223"], {**NO_GENERAL, "industrial_wastewater": True, "industrial_waste_gas": True})
    assert result.management_class == "key" and not result.open


def test_art6_registration_from_the_general_processes_only_needs_review_of_what_it_covers():
    facts = {**NO_GENERAL, **SMALL_BOILER}
    result = classify(["4413"], facts)  # hydro power: row 95 gives no class; a small boiler, row 109 registration
    assert result.management_class == REVIEW and result.at_least == "registration"
    a = classify(["4413"], facts, decisions=decide(result, "a"))
    assert (a.management_class, a.scope) == ("registration", GENERAL_ONLY)
    b = classify(["4413"], facts, decisions=decide(result, "b"))
    assert (b.management_class, b.scope) == ("registration", WHOLE)


def test_a_changed_fact_makes_a_decision_no_longer_apply():
    facts = {**NO_GENERAL, "rubber_consumption_tpy": 1999}
    decisions = decide(classify(["2913"], facts), "a")
    assert classify(["2913"], facts, decisions=decisions).management_class == "simplified"
    assert classify(["2913"], {**facts, "rubber_consumption_tpy": 1500}, decisions=decisions).management_class \
        == REVIEW


def test_missing_facts_come_before_review():
    result = classify(["2913"], {**NO_GENERAL})  # rubber consumption not given
    assert result.management_class == "undetermined" and "2913:rubber_consumption_tpy" in result.missing


# The reviewer's decision -----------------------------------------------------------------------


@pytest.fixture
def rubber(world):
    unit = world.unit_a
    unit.industry = Industry.objects.get(code="2913")
    unit.save()
    UnitFacts.objects.create(unit=unit, facts={**NO_GENERAL, "rubber_consumption_tpy": 1999})
    assert services.unit_classify(unit=unit).management_class == REVIEW
    return unit


def open_key(unit) -> str:
    return Classification.objects.get(unit=unit).open_readings[0]["key"]


@pytest.mark.django_db
def test_a_reviewer_decides_with_a_reason_and_the_unit_is_classified_by_it(world, rubber):
    reviewer = world.users[Role.PERMIT_REVIEWER]
    decision = services.reading_decide(user=reviewer, unit=rubber, key=open_key(rubber), choice="b",
                                       reason="按其他理解：耗胶量限定其后各小类")
    classification = Classification.objects.get(unit=rubber)
    assert classification.management_class == "registration" and classification.deciding_row == 61
    assert classification.open_readings[0]["chosen"] == "b"
    assert decision.decided_by == reviewer and decision.history.count() == 1


@pytest.mark.django_db
def test_a_decision_needs_a_reason_and_a_reading(world, rubber):
    reviewer = world.users[Role.PERMIT_REVIEWER]
    with translation.override("en"), pytest.raises(DomainError) as e:
        services.reading_decide(user=reviewer, unit=rubber, key=open_key(rubber), choice="c", reason=" ")
    assert set(e.value.errors) == {"choice", "reason"}
    assert not ReadingDecision.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.ENTERPRISE_CLERK, Role.COUNTY_OFFICER])
def test_only_a_permit_reviewer_decides(world, rubber, role):
    with pytest.raises(PermissionDenied):
        services.reading_decide(user=world.users[role], unit=rubber, key=open_key(rubber), choice="a", reason="x")


@pytest.mark.django_db
def test_a_changed_fact_asks_again_and_keeps_the_old_decision(world, rubber, client):
    reviewer, clerk = world.users[Role.PERMIT_REVIEWER], world.users[Role.ENTERPRISE_CLERK]
    services.reading_decide(user=reviewer, unit=rubber, key=open_key(rubber), choice="a", reason="只限定2912")
    assert Classification.objects.get(unit=rubber).management_class == "simplified"
    services.unit_facts_save(user=clerk, unit=rubber, data={"rubber_consumption_tpy": "1200"})
    classification = Classification.objects.get(unit=rubber)
    assert classification.management_class == REVIEW and classification.open_readings[0]["chosen"] == ""
    assert ReadingDecision.objects.filter(unit=rubber).count() == 1  # kept
    client.force_login(reviewer)
    page = client.get(f"/permits/units/{rubber.pk}/").content.decode()
    assert 'data-testid="earlier-decisions"' in page and "只限定2912" in page
    # A stale key (the page shown before the facts changed) is refused, not applied to new facts.
    with pytest.raises(DomainError) as e:
        services.reading_decide(user=reviewer, unit=rubber, key=ReadingDecision.objects.get().key, choice="a",
                                reason="x")
    assert e.value.status == 409


@pytest.mark.django_db
def test_the_unit_page_shows_both_readings_with_the_words_and_the_decision_form(world, rubber, client):
    client.force_login(world.users[Role.PERMIT_REVIEWER])
    page = client.get(f"/permits/units/{rubber.pk}/").content.decode()
    assert 'data-class="review"' in page and 'data-reading="row61_rubber_threshold"' in page
    assert "年耗胶量2000吨及以上的橡胶板、管、带制造2912" in page
    assert 'data-testid="decide-reading"' in page
    response = client.post(f"/permits/units/{rubber.pk}/readings/",
                           {"key": open_key(rubber), "choice": "a", "reason": "只限定2912"}, follow=True)
    page = response.content.decode()
    assert 'data-testid="reading-decision"' in page and "只限定2912" in page and 'data-class="simplified"' in page


@pytest.mark.django_db
def test_the_clerk_sees_the_readings_but_no_decision_form(world, rubber, client):
    client.force_login(world.users[Role.ENTERPRISE_CLERK])
    page = client.get(f"/permits/units/{rubber.pk}/").content.decode()
    assert 'data-testid="open-readings"' in page and 'data-testid="decide-reading"' not in page
    assert client.post(f"/permits/units/{rubber.pk}/readings/", {"key": open_key(rubber), "choice": "a",
                                                                  "reason": "x"}).status_code == 403


@pytest.mark.django_db
def test_no_application_or_registration_while_the_class_needs_review(world, rubber):
    clerk = world.users[Role.ENTERPRISE_CLERK]
    with pytest.raises(DomainError) as e:
        workflow.application_create(user=clerk, unit=rubber, on=date(2020, 3, 10))
    assert e.value.status == 409 and "management_class" in e.value.errors
    form = dict.fromkeys(services.REGISTRATION_TEXT_FIELDS, "衡南县")
    with pytest.raises(DomainError) as e:
        services.registration_file(user=clerk, unit=rubber, data=form)
    assert e.value.status == 409 and "management_class" in e.value.errors


@pytest.mark.django_db
def test_classify_all_uses_the_decisions(world, rubber):
    reviewer = world.users[Role.PERMIT_REVIEWER]
    services.reading_decide(user=reviewer, unit=rubber, key=open_key(rubber), choice="b", reason="其他")
    Classification.objects.filter(unit=rubber).delete()
    counts = services.units_classify(user=world.users[Role.CITY_ADMIN])
    assert counts.get("registration", 0) >= 1
    assert Classification.objects.get(unit=rubber).management_class == "registration"


@pytest.mark.django_db
def test_the_api_names_the_open_readings(world, rubber, client):
    client.force_login(world.users[Role.PERMIT_REVIEWER])
    body = client.get(f"/api/permits/units/{rubber.pk}/classification").json()
    assert body["management_class"] == REVIEW
    assert body["open_readings"] == [{"reading": "row61_rubber_threshold", "key": open_key(rubber), "chosen": None}]
