"""core.forms.FormRenderer writes the plain widgets in Python: it must write them byte for byte as
Django's own templates do, for every field of every form, with whatever value a field is given."""

import copy
from datetime import date

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from zhengtong.core.forms import FormRenderer
from zhengtong.tests_support.forms import project_forms

OURS, DJANGOS = FormRenderer(), DjangoTemplates()
VALUES = [None, "", "衡阳 <b>&\"'", 0, 12, ["1", "2"], date(2020, 2, 27), True, False]
ATTRS = {"id": "id_x", "class": "wide", "required": True, "disabled": False, "data-n": 0,
         "placeholder": gettext_lazy("Name"), "title": "a \"quoted\" <title>"}


def both(widget: forms.Widget, value, attrs=None) -> tuple[str, str]:
    return (widget.render("f", value, attrs=attrs, renderer=OURS),
            widget.render("f", value, attrs=attrs, renderer=DJANGOS))


@pytest.mark.django_db
@pytest.mark.parametrize("form", list(project_forms()), ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_every_field_of_every_form_is_written_as_djangos_templates_write_it(form, world):
    for name, field in form.base_fields.items():
        widget = copy.deepcopy(field.widget)
        if hasattr(field, "choices"):
            widget.choices = field.choices  # a model field's rows, read from the database
        for value in [*VALUES, field.initial]:
            for attrs in (None, ATTRS):
                ours, djangos = both(widget, value, attrs)
                assert ours == djangos, f"{form.__name__}.{name} = {value!r}"


def test_a_select_with_groups_a_choice_chosen_and_labels_of_every_kind():
    widget = forms.Select(choices=[
        ("", "---------"),
        ("湖南", [("430400", "衡阳市"), ("430100", mark_safe("<i>长沙市</i>"))]),
        (3, 2020),  # a number label: localized by the template, so written by it
        ("x", gettext_lazy("Name")),
        ("<&>", "a & b"),
    ])
    for value in (None, "430400", 3, "<&>", ["x", "430100"]):
        ours, djangos = both(widget, value, ATTRS)
        assert ours == djangos
    ours, djangos = both(forms.SelectMultiple(choices=[("a", "A"), ("b", "B")]), ["a", "b"])
    assert ours == djangos and ours.count("selected") == 2


def test_inputs_and_textareas_of_every_kind():
    widgets = [forms.TextInput(), forms.NumberInput(), forms.EmailInput(), forms.URLInput(), forms.PasswordInput(),
               forms.HiddenInput(), forms.DateInput(), forms.DateTimeInput(), forms.TimeInput(), forms.CheckboxInput(),
               forms.Textarea(), forms.Textarea(attrs={"rows": 3}), forms.RadioSelect(choices=[("a", "A")]),
               forms.CheckboxSelectMultiple(choices=[("a", "A"), ("b", "B")]), forms.ClearableFileInput()]
    for widget in widgets:
        for value in [*VALUES, mark_safe("<b>safe</b>"), ("a", "b")]:
            ours, djangos = both(widget, value, ATTRS)
            assert ours == djangos, f"{type(widget).__name__} = {value!r}"


def test_a_whole_form_renders_the_same_and_the_fast_path_is_taken(monkeypatch):
    class Form(forms.Form):
        name = forms.CharField(label=gettext_lazy("Name"), initial="衡阳")
        kind = forms.ChoiceField(choices=[("a", "甲"), ("b", "乙")], required=False)
        note = forms.CharField(widget=forms.Textarea, required=False)
        when = forms.DateField(required=False)

    assert str(Form(renderer=OURS)) == str(Form(renderer=DJANGOS))
    assert str(Form({"name": "<x>", "kind": "b"}, renderer=OURS)) == str(Form({"name": "<x>", "kind": "b"},
                                                                             renderer=DJANGOS))
    # the widgets are written without their templates (the point of the renderer)
    loaded = []
    monkeypatch.setattr(DjangoTemplates, "get_template", lambda self, name: loaded.append(name) or 1 / 0)
    for field in Form(renderer=OURS):
        field.as_widget()
    assert loaded == []


def test_choices_given_as_a_function_are_read_once_per_form():
    from zhengtong.core.forms import ChoicesOnce

    read = []

    def options():
        read.append(1)
        return [("", "—"), ("430422", "衡南县")]

    class Form(ChoicesOnce, forms.Form):
        county = forms.ChoiceField(choices=options, required=True)

    form = Form({"county": "430422"})
    assert form.is_valid() and "衡南县" in str(form["county"])
    assert len(read) == 1
    assert not Form({"county": "999999"}).is_valid()  # a value it does not offer is still refused
