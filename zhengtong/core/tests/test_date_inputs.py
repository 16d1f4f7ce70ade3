"""A form's initial date reaches the browser: ``<input type=date>`` reads only ISO values, and
Django writes the language's first input format (zh-hans ``2020/02/27``), which the browser shows as
an empty field. Every date field of every form uses core.forms' ISO inputs."""

from datetime import date, datetime

import pytest
from django import forms
from django.utils import translation

from zhengtong.core.forms import DateInput, DateTimeLocalInput
from zhengtong.tests_support.forms import project_forms


def test_the_inputs_write_iso_whatever_the_language():
    with translation.override("zh-hans"):
        assert 'value="2020-02-27"' in DateInput().render("d", date(2020, 2, 27))
        assert 'value="2020-02-27T10:05"' in DateTimeLocalInput().render("d", datetime(2020, 2, 27, 10, 5))
        # what they replace: Django's own input writes the language's format, which the browser drops
        assert 'value="2020/02/27"' in forms.DateInput(attrs={"type": "date"}).render("d", date(2020, 2, 27))


@pytest.mark.parametrize("form", list(project_forms()), ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_every_date_field_of_every_form_writes_iso(form):
    for name, field in form.base_fields.items():
        kind = getattr(field.widget, "input_type", "")
        if kind == "date":
            assert isinstance(field.widget, DateInput), f"{name}: use core.forms.DateInput"
        if kind == "datetime-local":
            assert isinstance(field.widget, DateTimeLocalInput), f"{name}: use core.forms.DateTimeLocalInput"
