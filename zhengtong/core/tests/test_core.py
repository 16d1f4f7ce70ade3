"""The shared library: cleaners, id bounds, form glue."""

from decimal import Decimal

import pytest
from django import forms
from django.http import Http404

from zhengtong.core.cleaners import clean_date, clean_decimal, clean_phone, clean_text, is_storable
from zhengtong.core.errors import DomainError, FieldErrors
from zhengtong.core.forms import save_form
from zhengtong.core.http import get_or_404
from zhengtong.core.ids import MAX_ID, valid_id


@pytest.mark.parametrize("value, expected", [
    ("12", 12), (" 12 ", 12), (12, 12), (str(MAX_ID), MAX_ID), (MAX_ID, MAX_ID),
    ("0", None), ("-1", None), (str(MAX_ID + 1), None), (2**70, None), (True, None), ("²", None),
    ("٣", None), ("1_000", None), ("1e3", None), (None, None), (1.0, None), ("", None),
])
def test_an_id_is_a_whole_number_the_database_holds(value, expected):
    assert valid_id(value) == expected


def test_text_with_nul_or_a_lone_surrogate_is_not_storable():
    assert is_storable("衡阳 ok")
    assert not is_storable("a\x00b")
    assert not is_storable("a\ud800b")


def test_every_cleaner_names_its_field():
    errors = FieldErrors()
    data = {"name": "x" * 5, "phone": "abc", "day": "2020-13-01", "note": "a\x00"}
    assert clean_text(errors, data, "name", max_length=3) == "xxxxx"
    assert clean_text(errors, data, "note") == ""
    clean_text(errors, data, "missing", required=True)
    clean_phone(errors, data, "phone")
    assert clean_date(errors, data, "day") is None
    assert clean_decimal(errors, "amount", "-1") is None
    assert clean_decimal(errors, "big", "1e13") is None
    assert clean_decimal(errors, "ok", " 1,200.5 ") == Decimal("1200.5")
    assert set(errors.errors) == {"name", "note", "missing", "phone", "day", "amount", "big"}


def test_a_record_outside_the_queryset_or_a_bad_id_is_the_same_404(db):
    from zhengtong.registry.models import Region

    region = Region.objects.first()
    assert get_or_404(Region.objects.all(), str(region.pk)) == region
    for pk in ("abc", "0", str(2**63), "²"):
        with pytest.raises(Http404):
            get_or_404(Region.objects.all(), pk)
    with pytest.raises(Http404):
        get_or_404(Region.objects.none(), region.pk)


class _NameForm(forms.Form):
    name = forms.CharField()


def test_save_form_puts_a_services_refusal_on_the_form():
    def refuse(data):
        raise DomainError(errors={"name": ["taken"], "other": ["whole record"]})

    form = _NameForm({"name": "a"})
    assert save_form(form, refuse) is None
    assert form.errors["name"] == ["taken"]
    assert form.non_field_errors() == ["whole record"]
    assert save_form(_NameForm({"name": "b"}), lambda data: data["name"]) == "b"
    assert save_form(_NameForm({}), lambda data: 1 / 0) is None  # an invalid form never reaches the service
