"""The access log's writer (core.access.record_view) and its table, which nobody changes."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from zhengtong.accounts.models import ApiToken, Role
from zhengtong.core.access import Kind, Subject, SubjectType, list_detail, record_view
from zhengtong.core.http import client_address
from zhengtong.core.models import AccessRecord

pytestmark = pytest.mark.django_db


def test_record_view_writes_one_row_saying_who_when_whose_where(world, django_assert_num_queries):
    request = RequestFactory().get("/registry/people/7/", REMOTE_ADDR="10.0.0.9")
    request.user = world.users[Role.SITE_MANAGER]
    with django_assert_num_queries(1):
        record = record_view(request, kind=Kind.ID_NUMBER, subject=Subject.of(world.person_a))
    record.refresh_from_db()
    assert (record.user, record.username, record.via) == (world.users[Role.SITE_MANAGER], "manager", "")
    assert (record.kind, record.subject_type, record.subject_id) == ("id_number", "person", world.person_a.pk)
    assert record.subject == f"张三 ({world.person_a.id_number_masked})"
    assert (record.path, record.address, record.detail) == ("/registry/people/7/", "10.0.0.9", "")
    assert record.at is not None


def test_record_view_names_the_api_token_a_view_was_made_with(world):
    token, _key = ApiToken.issue(user=world.users[Role.COUNTY_OFFICER], name="county laptop")
    request = RequestFactory().get("/api/people/1")
    request.user, request.api_token = AnonymousUser(), token
    request.auth = world.users[Role.COUNTY_OFFICER]  # as django-ninja leaves it
    record = record_view(request, kind=Kind.ID_NUMBER, subject=Subject.of(world.person_a))
    assert record.username == "county"
    assert record.via == str(token) and "county laptop" in record.via


def test_a_site_is_a_subject_and_a_list_names_its_rows(world):
    assert Subject.of(world.site_a) == Subject(SubjectType.SITE, world.site_a.pk, "一号车间")
    assert Subject.listing("张三, 李四") == Subject(SubjectType.LIST, None, "张三, 李四")
    with pytest.raises(ValueError):
        Subject.of(world.unit_a)  # a unit holds no health data


def test_a_lists_detail_names_only_the_parameters_asked_for():
    request = RequestFactory().get("/x/", {"q": "张", "page": "2", "id_number": "430422199001011234"})
    assert list_detail(request, "q", "page") == "q=张; page=2"


def test_client_address_is_the_servers_view_of_it():
    assert client_address(RequestFactory().get("/", REMOTE_ADDR="192.0.2.1")) == "192.0.2.1"
    assert client_address(RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6", REMOTE_ADDR="192.0.2.1")) \
        == "192.0.2.1"


def test_the_admin_shows_access_records_and_changes_none(client, world):
    record = AccessRecord.objects.create(username="manager", kind=Kind.HEALTH, subject_type=SubjectType.SITE,
                                         subject_id=world.site_a.pk, subject="一号车间", path="/x/")
    client.force_login(world.users[Role.CITY_ADMIN])
    world.users[Role.CITY_ADMIN].is_superuser = world.users[Role.CITY_ADMIN].is_staff = True
    world.users[Role.CITY_ADMIN].save()
    assert client.get(reverse("admin:core_accessrecord_changelist")).status_code == 200
    assert client.get(reverse("admin:core_accessrecord_change", args=[record.pk])).status_code == 200
    assert client.get(reverse("admin:core_accessrecord_add")).status_code == 403
    assert client.post(reverse("admin:core_accessrecord_change", args=[record.pk]),
                       {"username": "someone else"}).status_code == 403
    assert client.post(reverse("admin:core_accessrecord_delete", args=[record.pk]), {"post": "yes"}).status_code == 403
    record.refresh_from_db()
    assert record.username == "manager"
