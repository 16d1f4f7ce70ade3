"""What a list page writes in Python must be what its templates wrote, byte for byte: the pager
(core.templatetags.list_page.list_pager, core/_list_pager.html) and the filter form's fields
(core.forms.labelled_fields, ``{% for field in form %}<label>{{ field.label }}{{ field }}</label>{% endfor %}``),
for every form of the project with whatever it is given."""

import pytest
from django import forms
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from zhengtong.core.forms import labelled_fields
from zhengtong.core.listing import Column, listing
from zhengtong.tests_support.forms import project_forms

PAGER = '{% include "core/_list_pager.html" %}'
WRITTEN_PAGER = "{% load list_page %}{% list_pager listing %}"
FORM_LOOP = "{% for field in form %}<label>{{ field.label }}{{ field }}</label>{% endfor %}"
HOSTILE = "衡阳 <b>&\"'"


class Row:
    def __init__(self, pk):
        self.pk, self.name = pk, f"row {pk}"


COLUMNS = [Column("name", "Name", key=lambda r: r.name)]


def both(old: str, new: str, language: str, **context) -> tuple[str, str]:
    with translation.override(language):
        return Template(old).render(Context(context)), Template(new).render(Context(context))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("query", ["", "page=2", "page=5&q=衡阳", "page=last&sort=-name", "sort=bogus&x=<b>&y=\"",
                                   "q=" + "+".join(f"w{i}" for i in range(12)), "page=3&q=" + "长" * 120])
@pytest.mark.parametrize("n, cap", [(0, None), (1, None), (3, None), (40, None), (40, 20)])
def test_the_pager_is_the_templates(language, query, n, cap):
    rows = [Row(i) for i in range(1, n + 1)]
    result = listing(RequestFactory().get("/list/?" + query), rows, COLUMNS, default="name", size=3,
                     count_cap=cap)
    old, new = both(PAGER, WRITTEN_PAGER, language, listing=result)
    assert new == old


def values_for(field: forms.Field) -> list:
    """What a test gives a field: nothing, empty, hostile text, each of its choices and one it lacks."""
    values = [None, "", HOSTILE, "1234567890" * 30]
    for value, label in getattr(field, "choices", []) or []:
        values.extend(v for v, _label in label) if isinstance(label, (list, tuple)) else values.append(value)
    return values


def forms_given(form_class: type[forms.BaseForm]):
    """The form unbound, bound to nothing, and with each field given each of its values."""
    try:
        yield form_class()
    except TypeError:  # a form that needs more than its data (the view gives it)
        return
    yield form_class({})
    for name, field in form_class.base_fields.items():
        for value in values_for(field):
            data = {} if value is None else {name: value}
            yield form_class(data)
            yield form_class({**data, "other": HOSTILE}, prefix=None)


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", list(project_forms()), ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_every_form_is_written_as_the_templates_write_it(form_class, world):
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for form in forms_given(form_class):
                if not isinstance(form, forms.Form):
                    continue
                form.is_valid() if form.is_bound else None
                old = Template(FORM_LOOP).render(Context({"form": form}))
                assert labelled_fields(form) == old, (form_class.__name__, form.data)


def test_a_select_with_groups_safe_and_lazy_labels_and_a_disabled_and_a_required_field():
    class Odd(forms.Form):
        a = forms.ChoiceField(required=False, choices=[("", "—"), ("湖南", [("430400", "衡阳市")]), ("x", "X")])
        b = forms.ChoiceField(required=False, choices=[("<&>", mark_safe("<i>safe</i>")), ("n", gettext_lazy("Name")),
                                                       (3, "three")])
        c = forms.CharField(required=False, disabled=True, help_text="help", max_length=4)
        d = forms.CharField(label=mark_safe("<b>D</b>"))  # required: through Django
        e = forms.ChoiceField(required=False, choices=[(1, 2020)])  # a number label: through Django
        f = forms.CharField(required=False, widget=forms.Textarea)

    for data in (None, {}, {"a": "430400", "b": "3", "c": "x", "e": "1"}, {"a": "nope", "b": "<&>", "c": HOSTILE}):
        form = Odd(data)
        form.is_valid() if form.is_bound else None
        assert labelled_fields(form) == Template(FORM_LOOP).render(Context({"form": form}))


def test_the_same_choices_with_another_safe_label_are_other_options():
    class Plain(forms.Form):
        a = forms.ChoiceField(required=False, choices=[("x", "<i>x</i>")])

    class Safe(forms.Form):
        a = forms.ChoiceField(required=False, choices=[("x", mark_safe("<i>x</i>"))])

    assert "&lt;i&gt;" in labelled_fields(Plain()) and "<i>x</i>" in labelled_fields(Safe())


def test_choices_that_change_at_each_read_are_written_as_read_once():
    """A select's options are kept under a key made from its choices: both from one read of them, or choices
    read anew each time (a callable's) keep one read's options under another read's key, and a later form
    with the first read's choices shows the second's."""
    import uuid

    tag = uuid.uuid4().hex  # values no other test's form holds (the options are kept per process)
    reads = iter(range(1000))

    class Moving(forms.Form):
        a = forms.ChoiceField(required=False, choices=lambda: [("", "—"), (f"{tag}-{next(reads)}", "区")])

    def fixed(n: int) -> str:
        class Fixed(forms.Form):
            a = forms.ChoiceField(required=False, choices=[("", "—"), (f"{tag}-{n}", "区")])

        return labelled_fields(Fixed())

    moving = labelled_fields(Moving())
    for n in range(3):
        assert f'value="{tag}-{n}"' in fixed(n)
    assert moving == fixed(int(moving.split(f'value="{tag}-', 1)[1].split('"', 1)[0]))


def test_a_cells_text_is_escaped_as_the_template_escapes_it_and_stays_safe():
    from datetime import date
    from decimal import Decimal

    from django.utils.html import conditional_escape
    from django.utils.safestring import SafeString, mark_safe
    from django.utils.translation import gettext_lazy

    from zhengtong.core.rows import text

    class Thing:
        def __str__(self) -> str:
            return "4411 <塑料>"

    for value in ['<a href="x">&\'', "", "张三 一监区", 7, 3.5, None, mark_safe("<b>kept</b>"), True,
                  Thing(), gettext_lazy("Name"), Decimal("1.50"), date(2020, 2, 5), SafeString("a&amp;b")]:
        expected = conditional_escape("" if value is None else value)
        assert text(value) == expected, value
        if not isinstance(value, int | float):
            assert isinstance(text(value), SafeString), value  # a caller may escape it again: no double escape
            assert conditional_escape(text(value)) == expected
