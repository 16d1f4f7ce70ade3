"""The shared library: cleaners, id bounds, form glue."""

from decimal import Decimal

import pytest
from django import forms
from django.http import Http404

from zhengtong.core.cleaners import (
    clean_count,
    clean_date,
    clean_decimal,
    clean_note,
    clean_phone,
    clean_text,
    filter_text,
    is_storable,
)
from zhengtong.core.errors import DomainError, FieldErrors
from zhengtong.core.forms import labelled_messages, save_form
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


@pytest.mark.parametrize("text", ["a\x01b", "\x07", "a\x1fb", "a\x7fb", "\x0b"])
def test_text_with_another_control_character_is_not_storable(text):
    """Invisible, and refused in a spreadsheet's cells: an export would fail on it."""
    assert not is_storable(text)


def test_tabs_and_line_breaks_are_text():
    assert is_storable("第一行\r\n第二行\t注")


@pytest.mark.parametrize("value, expected", [
    ("a\x00b", "ab"), (" 衡阳\x01 ", "衡阳"), ("\ud800x", "x"), (None, ""), ("\x00", ""), (12, "12"),
    ("a\tb", "a\tb"),
])
def test_a_list_filter_keeps_what_could_match_and_drops_the_rest(value, expected):
    assert filter_text(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("3", 3), (" 3 ", 3), (3, 3), ("", 1), (None, 1), ("²", None), ("٣", None), ("１", None), ("1.5", None),
    ("0", None), ("10001", None), (True, None), ("99999999999999999999999", None),
])
def test_a_count_is_ascii_digits_within_its_bounds(value, expected):
    errors = FieldErrors()
    assert clean_count(errors, "n", value, minimum=1, maximum=10_000, default=1) == expected
    assert bool(errors) == (expected is None)
    if errors:
        assert errors.errors["n"] == ["请输入 1 到 10000 之间的整数。"]  # in the default language, zh-hans


def test_a_note_names_its_field_and_may_be_required():
    assert clean_note(" 已整改 ", "note") == "已整改"
    assert clean_note(None, "note") == ""
    for value, required in (("a\x00b", ""), ("", "Say how."), ("x" * 11, "")):
        with pytest.raises(DomainError) as refused:
            clean_note(value, "note", required=required, max_length=10)
        assert list(refused.value.errors) == ["note"]


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


def test_a_refusal_shown_as_lines_names_each_field_as_the_page_does_never_by_its_key():
    error = DomainError(errors={"reasons": ["Give the reasons."], "status": ["Not now."]})
    assert labelled_messages(error, {"reasons": "Note"}.get) == ["Note: Give the reasons.", "Not now."]
    assert labelled_messages(DomainError("Whole."), {}.get) == ["Whole."]
