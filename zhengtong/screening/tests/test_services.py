import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from zhengtong.accounts.models import Role
from zhengtong.core.errors import DomainError
from zhengtong.screening import services
from zhengtong.screening.models import Alert, Entry
from zhengtong.tests_support.codes import make_id_number
from zhengtong.tests_support.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def gate(world):
    return services.Actor(user=world.users[Role.GATEKEEPER])


def test_an_admission_is_recorded(world):
    screened = services.entry_screen(actor=gate(world), site=world.site_a, person=world.person_a, temperature="36.5")
    assert screened.created and screened.entry.decision == "admit"
    assert Entry.objects.count() == 1


def test_a_fever_is_refused_recorded_and_alerts_the_manager_and_the_county(world):
    screened = services.entry_screen(actor=gate(world), site=world.site_a, person=world.person_a, temperature="38.2")
    assert (screened.entry.decision, screened.entry.reason) == ("refuse", "fever")
    recipients = set(Alert.objects.filter(kind="fever").values_list("recipient__username", flat=True))
    assert recipients == {"manager", "county"}


def test_a_repeated_client_uuid_returns_the_first_entry(world):
    key = uuid.uuid4()
    first = services.entry_screen(actor=gate(world), site=world.site_a, person=world.person_a, temperature="36.5",
                                  client_uuid=key)
    again = services.entry_screen(actor=gate(world), site=world.site_a, person=world.person_a, temperature="39.0",
                                  client_uuid=key)
    assert not again.created and again.entry.pk == first.entry.pk and again.entry.decision == "admit"
    assert Entry.objects.count() == 1


def test_an_input_error_records_nothing(world):
    with pytest.raises(DomainError):
        services.entry_screen(actor=gate(world), site=world.site_a, person=world.person_a, temperature="98.6")
    assert Entry.objects.count() == 0


def test_a_time_in_the_future_beyond_the_skew_is_refused(world):
    with pytest.raises(DomainError) as e:
        services.entry_screen(actor=gate(world), site=world.site_a, person=world.person_a, temperature="36.5",
                              at=timezone.now() + timedelta(hours=1))
    assert "at" in e.value.errors
    services.entry_screen(actor=gate(world), site=world.site_a, person=world.person_a, temperature="36.5",
                          at=timezone.now() + timedelta(seconds=30))


def test_a_gatekeeper_cannot_screen_at_another_site(world):
    with pytest.raises(PermissionDenied):
        services.entry_screen(actor=gate(world), site=world.site_b, person=world.person_b, temperature="36.5")


def test_closed_management_refuses_a_visitor_registered_at_the_gate(world):
    manager = world.users[Role.SITE_MANAGER]
    services.site_set_state(user=manager, site=world.site_a,
                            data={"closed_since": "2020-01-26", "visitor_policy": "none", "reason": "防疫"})
    world.site_a.refresh_from_db()
    visitor = services.visitor_register(actor=gate(world), site=world.site_a,
                                        data={"name": "访客甲", "id_number": make_id_number()})
    screened = services.entry_screen(actor=gate(world), site=world.site_a, person=visitor, temperature="36.4")
    assert screened.entry.reason == "closed"
    record = world.site_a.history.first()
    assert record.history_change_reason == "防疫" and record.history_user == manager


def test_site_state_needs_a_reason_and_a_manager(world):
    with pytest.raises(DomainError) as e:
        services.site_set_state(user=world.users[Role.SITE_MANAGER], site=world.site_a,
                                data={"closed_since": "2020-01-26"})
    assert "reason" in e.value.errors
    with pytest.raises(PermissionDenied):
        services.site_set_state(user=world.users[Role.GATEKEEPER], site=world.site_a,
                                data={"closed_since": "2020-01-26", "reason": "x"})


def test_an_exit_closes_the_open_stay_once(world):
    services.entry_screen(actor=gate(world), site=world.site_a, person=world.person_a, temperature="36.5")
    stay = services.exit_record(actor=gate(world), site=world.site_a, person=world.person_a)
    assert stay.left_at is not None and not stay.left_estimated
    left = stay.left_at
    again = services.exit_record(actor=gate(world), site=world.site_a, person=world.person_a)
    assert again.left_at == left


def test_an_exit_without_an_entry_is_an_error(world):
    with pytest.raises(DomainError):
        services.exit_record(actor=gate(world), site=world.site_a, person=world.person_a)


def test_overdue_stays_are_closed_as_estimated(world):
    at = (timezone.now() - timedelta(days=3)).replace(hour=8, minute=0, second=0, microsecond=0)
    services.entry_screen(actor=gate(world), site=world.site_a, person=world.person_a, temperature="36.5", at=at)
    assert services.stays_close_overdue(now=at + timedelta(hours=9)) == 1
    stay = Entry.objects.get()
    assert stay.left_estimated and stay.left_at == at + timedelta(hours=8)


def test_health_check_fever_alerts_and_only_for_the_sites_people(world):
    manager = world.users[Role.SITE_MANAGER]
    check = services.health_check_record(user=manager, site=world.site_a, person=world.person_a, temperature="37.8")
    assert check.is_fever and Alert.objects.filter(kind="health_fever").exists()
    stranger = PersonFactory()
    with pytest.raises(DomainError):
        services.health_check_record(user=manager, site=world.site_a, person=stranger, temperature="36.5")


def test_disinfection_needs_an_area_of_the_site(world):
    manager = world.users[Role.SITE_MANAGER]
    area = services.area_create(user=manager, site=world.site_a, name="一号楼")
    with pytest.raises(DomainError) as e:
        services.disinfection_record(user=manager, site=world.site_a, data={"agent": "", "operator": ""})
    assert set(e.value.errors) == {"agent", "operator", "area"}
    d = services.disinfection_record(user=manager, site=world.site_a,
                                     data={"area": area.pk, "agent": "含氯消毒液", "operator": "王师傅"})
    assert d.area == area


def test_alerts_are_acknowledged_by_their_recipient_only(world):
    services.entry_screen(actor=gate(world), site=world.site_a, person=world.person_a, temperature="38.5")
    alert = Alert.objects.filter(recipient=world.users[Role.SITE_MANAGER]).get()
    with pytest.raises(PermissionDenied):
        services.alert_acknowledge(user=UserFactory(username="other"), alert=alert)
    assert services.alert_acknowledge(user=world.users[Role.SITE_MANAGER], alert=alert).acknowledged_at


def test_a_client_uuid_of_another_sites_entry_is_refused_not_shown(world):
    key = uuid.uuid4()
    admin = services.Actor(user=world.users[Role.CITY_ADMIN])
    services.entry_screen(actor=admin, site=world.site_b, person=world.person_b, temperature="38.9", client_uuid=key)
    with pytest.raises(DomainError) as e:
        services.entry_screen(actor=gate(world), site=world.site_a, person=world.person_a, temperature="36.5",
                              client_uuid=key)
    assert e.value.status == 409 and "client_uuid" in e.value.errors


def test_an_ended_relation_no_longer_counts(world):
    from datetime import date

    from zhengtong.registry.models import SitePerson

    SitePerson.objects.filter(site=world.site_a, person=world.person_a).update(until=date(2020, 1, 1))
    world.site_a.closed_since = date(2020, 1, 26)
    world.site_a.save()
    screened = services.entry_screen(actor=gate(world), site=world.site_a, person=world.person_a, temperature="36.5")
    assert (screened.entry.decision, screened.entry.reason) == ("refuse", "former")


def test_a_former_member_is_refused_as_former_on_sight_and_at_the_screening(world):
    from datetime import date

    from zhengtong.registry.models import SitePerson
    from zhengtong.screening import selectors

    today = timezone.localdate()
    SitePerson.objects.filter(site=world.site_a, person=world.person_a).update(until=today - timedelta(days=1))
    resolved = selectors.gate_resolve(site=world.site_a, code=world.person_a.name)
    assert (resolved.relation, resolved.former_until, resolved.needs_registration) == (None, today - timedelta(days=1),
                                                                                      False)
    assert services.gate_refusal(site=world.site_a, resolved=resolved) == "former"
    screened = services.entry_screen_at_gate(actor=gate(world), site=world.site_a, resolved=resolved,
                                             temperature="36.5")
    assert (screened.entry.decision, screened.entry.reason) == ("refuse", "former")
    assert SitePerson.objects.get(site=world.site_a, person=world.person_a).until == today - timedelta(days=1)
    # Through the day it ends, the relation holds.
    SitePerson.objects.filter(site=world.site_a, person=world.person_a).update(until=today)
    resolved = selectors.gate_resolve(site=world.site_a, code=world.person_a.name)
    assert (resolved.relation, resolved.former_until) == ("worker", None)
    # A visit that has ended makes no former member: the person is a visitor again.
    visitor = PersonFactory(site=world.site_a, relation="visitor")
    SitePerson.objects.filter(person=visitor).update(until=date(2020, 1, 1))
    resolved = selectors.resolved_person(site=world.site_a, person=visitor)
    assert (resolved.relation, resolved.former_until) == (None, None)
    assert services.gate_refusal(site=world.site_a, resolved=resolved) is None


def test_registering_a_worker_as_a_visitor_keeps_them_a_worker(world):
    from zhengtong.registry.identity import decrypt_id_number
    from zhengtong.registry.models import SitePerson

    code = decrypt_id_number(world.person_a.id_number_encrypted)
    person = services.visitor_register(actor=gate(world), site=world.site_a,
                                       data={"name": world.person_a.name, "id_number": code})
    assert person == world.person_a
    assert SitePerson.objects.get(site=world.site_a, person=person).relation == "worker"


def test_a_visitor_is_registered_only_with_their_screening(world):
    """entry_screen_at_gate: registration and screening in one transaction. A screening refused as an
    input error (an area of no site here) leaves no person and no relation behind."""
    from zhengtong.registry.models import Person, SitePerson
    from zhengtong.screening import selectors

    number = make_id_number()
    resolved = selectors.gate_resolve(site=world.site_a, code=number)
    assert resolved.needs_registration
    people = Person.objects.count()
    with pytest.raises(DomainError) as e:
        services.entry_screen_at_gate(actor=gate(world), site=world.site_a, resolved=resolved, temperature="36.5",
                                      area=2**40, visitor={"name": "访客丁", "phone": ""})
    assert "area" in e.value.errors
    assert Person.objects.count() == people and not SitePerson.objects.filter(person__name="访客丁").exists()
    screened = services.entry_screen_at_gate(actor=gate(world), site=world.site_a, resolved=resolved,
                                             temperature="36.5", visitor={"name": "访客丁", "phone": ""},
                                             visit={"visit_host": "王科长", "visit_purpose": "送货"})
    assert screened.entry.person.name == "访客丁" and screened.entry.visit_host == "王科长"


def test_one_set_of_facts_for_every_path(world):
    """gate_facts: a relation past its end is none, closed management counts from its first day."""
    from datetime import date

    site = world.site_a
    site.closed_since = date(2020, 2, 10)
    facts = services.gate_facts(site=site, day=date(2020, 2, 10), relation="staff", since=None,
                                until=date(2020, 2, 9), isolated=False, temperature="36.5")
    assert facts.closed and facts.relation is None and facts.relation_since is None
    facts = services.gate_facts(site=site, day=date(2020, 2, 9), relation="staff", since=date(2019, 1, 1),
                                until=date(2020, 2, 9), isolated=True, temperature="36.5")
    assert not facts.closed and facts.relation == "staff" and facts.isolated


def test_visit_texts_are_as_long_as_their_columns():
    from zhengtong.screening import sync
    from zhengtong.screening.api import GateEntryIn
    from zhengtong.screening.models import VISIT_TEXT_LIMITS

    assert VISIT_TEXT_LIMITS == {"visit_host": Entry._meta.get_field("visit_host").max_length,
                                 "visit_purpose": Entry._meta.get_field("visit_purpose").max_length}
    errors = []
    sync.parse_text("x" * (VISIT_TEXT_LIMITS["visit_host"] + 1), "visit_host", lambda f, m: errors.append(f))
    assert errors == ["visit_host"]
    assert str(VISIT_TEXT_LIMITS["visit_purpose"]) in GateEntryIn.model_fields["visit_purpose"].description
