"""Form glue: forms only turn text into values; the rules live in services, whose field errors are
put back on the form here."""

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.choices import CallableChoiceIterator
from django.utils.functional import Promise
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, SafeString, mark_safe

from zhengtong.core.compiled import kept
from zhengtong.core.errors import DomainError

T = TypeVar("T")


class DateInput(forms.DateInput):
    """``<input type=date>`` with its value in ISO form, the only form the browser reads: Django's
    default is the language's first input format (zh-hans ``2020/02/27``), which the browser shows
    as an empty field, so a form's initial date was lost."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeLocalInput(forms.DateTimeInput):
    """``<input type=datetime-local>`` with its value in ISO form (as DateInput)."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class ChoicesOnce:
    """A form's choices given as a function (rows the database holds: the counties) read once per form.
    Django reads them each time they are used: for the ``required`` attribute, the options, the check
    of the value; a query and a thousand calls each."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(getattr(field, "choices", None), CallableChoiceIterator):
                field.choices = list(field.choices)  # type: ignore[attr-defined]


def apply_errors(form: forms.Form, error: DomainError) -> None:
    """Put a service's field errors on the form; errors of fields the form lacks go on top."""
    for field, messages in (error.errors or {"": [error.message]}).items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


def save_form(form: forms.Form, save: Callable[[dict], T]) -> T | None:
    """Run ``save(form.cleaned_data)`` when the form is valid; a service's refusal goes back on the
    form. Returns what the service returned, or None when the form is to be shown again."""
    if not form.is_valid():
        return None
    try:
        return save(form.cleaned_data)
    except DomainError as e:
        apply_errors(form, e)
        return None


def labelled_messages(error: DomainError, label: Callable[[str], Any]) -> list[str]:
    """A service's refusal as lines for a page that has no form field to put each on (a button's move,
    a table of rows): "label: message", each field named as the page names it (``label(field)``), never
    by its raw key; a field the page has no name for gives the message alone."""
    lines: list[str] = []
    for field, messages in (error.errors or {"": [error.message]}).items():
        name = label(field) if field else ""
        lines.extend(f"{name}: {message}" if name else message for message in messages)
    return lines


# The form renderer ---------------------------------------------------------------------------------
# Django renders each widget through three or four templates (the widget's, input.html, attrs.html, and
# an option template per choice): about a thousand Python calls a field, the largest share of a small
# list page's filter form. The plain inputs, the select and its options, and the textarea are written
# here as Django's own templates write them, byte for byte (core/tests/test_form_renderer.py compares
# both over every field of every form); anything else, or a value these do not write as text, goes
# to the templates.

_INPUT_TEMPLATES = frozenset(f"django/forms/widgets/{name}.html" for name in (
    "input", "text", "number", "email", "url", "password", "hidden", "date", "datetime", "time", "search",
    "tel", "color", "checkbox"))
_OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


class _Templates(Exception):
    """A value the written widgets do not show as Django's templates would: render with the templates."""


def _shown(value: Any) -> str:
    """``{{ value }}``: text escaped unless marked safe; numbers, dates and the rest are localized by the
    template, so they go to it."""
    if isinstance(value, str):
        return conditional_escape(value)
    if isinstance(value, Promise):
        return conditional_escape(str(value))
    raise _Templates


def _formatted(value: Any) -> str:
    """``{{ value|stringformat:'s' }}``: ``"%s" % value``, escaped unless the value was marked safe."""
    text = "%s" % (str(value) if isinstance(value, tuple) else value)
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs: dict[str, Any]) -> str:
    """attrs.html: each attribute not False; True ones by name alone."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {_shown(name)}" if value is True else f' {_shown(name)}="{_formatted(value)}"')
    return "".join(out)


def _input(widget: dict[str, Any]) -> str:
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    return f'<input type="{_shown(widget["type"])}" name="{_shown(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _select(widget: dict[str, Any]) -> str:
    out = [f'<select name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_shown(group_name)}">')
        for option in group_choices:
            if option["template_name"] != _OPTION_TEMPLATE:
                raise _Templates
            out.append(f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                       f'{_shown(option["label"])}</option>\n')
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


def _textarea(widget: dict[str, Any]) -> str:
    value = _shown(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


class FormRenderer(DjangoTemplates):
    """Django's renderer (settings.FORM_RENDERER), with the plain inputs, the select and the textarea
    written in Python as its templates write them."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        try:
            if template_name in _INPUT_TEMPLATES:
                return _input(context["widget"])
            if template_name == "django/forms/widgets/select.html":
                return _select(context["widget"])
            if template_name == "django/forms/widgets/textarea.html":
                return _textarea(context["widget"])
        except _Templates:
            pass
        return super().render(template_name, context, request)


# A list's filter form ------------------------------------------------------------------------------
# ``{% for field in form %}<label>{{ field.label }}{{ field }}</label>{% endfor %}`` costs a list page
# some two thousand calls for five fields even with FormRenderer: the bound field builds its attributes,
# the select a dict per option and each option's value and label are escaped again on every page.
# ``labelled_fields`` writes the same markup: a text input as ``_input`` writes it, a select's options
# from pieces made once per process for the same choices (the value and label of each option, with its
# class, are the key: a region added or a label in another language is another key), and any other
# field, or a required or localized one, through Django.

_FORM_LOOP = "{% for field in form %}<label>{{ field.label }}{{ field }}</label>{% endfor %}"
_TEXT_TEMPLATE = "django/forms/widgets/text.html"
_SELECT_TEMPLATE = "django/forms/widgets/select.html"
_OPTIONS: dict[tuple, tuple[tuple[str, str, str], ...] | None] = {}


def labelled_fields(form: forms.Form) -> SafeString:
    """Each field of ``form`` in its label, as ``_FORM_LOOP`` renders them (a list's filter form)."""
    out = []
    for field in form:
        label = field.label
        if not isinstance(label, (str, Promise)):
            return _through_templates(form)
        widget = _written_widget(field)
        out.append(f"<label>{conditional_escape(str(label))}{field if widget is None else widget}</label>")
    return mark_safe("".join(out))  # noqa: S308  (every label and value escaped, the rest Django's)


def _through_templates(form: forms.Form) -> SafeString:
    from django.template import Context, Template

    return mark_safe(Template(_FORM_LOOP).render(Context({"form": form})))  # noqa: S308  (rendered by Django)


def _written_widget(field: forms.BoundField) -> str | None:
    """A text input's or a select's markup as ``{{ field }}`` renders it (BoundField.as_widget with
    FormRenderer); None for any other widget, a required or localized field (they go to Django)."""
    widget = field.field.widget
    kind = type(widget)
    if kind is forms.TextInput:
        if widget.template_name != _TEXT_TEMPLATE:
            return None
    elif kind is not forms.Select or widget.template_name != _SELECT_TEMPLATE or (
            widget.option_template_name != _OPTION_TEMPLATE):
        return None
    if field.field.required or field.field.localize or field.field.show_hidden_initial:
        return None
    attrs = _attributes(field, widget)
    value = widget.format_value(field.value())
    try:
        if kind is forms.TextInput:
            return _input({"type": widget.input_type, "name": field.html_name, "value": value, "attrs": attrs})
        return _written_select(field.html_name, attrs, widget.choices, value)
    except _Templates:
        return None


def _attributes(field: forms.BoundField, widget: forms.Widget) -> dict[str, Any]:
    """The widget's attributes in BoundField.build_widget_attrs's and as_widget's order (not required)."""
    extra: dict[str, Any] = {}
    if field.field.disabled:
        extra["disabled"] = True
    failed = field.name in field.form.errors
    if failed:
        extra["aria-invalid"] = "true"
    auto_id = field.auto_id
    if auto_id and not widget.attrs.get("aria-describedby"):
        described = " ".join(([f"{auto_id}_helptext"] if field.help_text else [])
                             + ([f"{auto_id}_error"] if failed else []))
        if described:
            extra["aria-describedby"] = described
    if auto_id and "id" not in widget.attrs:
        extra.setdefault("id", auto_id)
    return {**widget.attrs, **extra}


def _written_select(name: str, attrs: dict[str, Any], choices: Any, chosen: list[str]) -> str:
    """select.html with its options: the first option whose value is among ``chosen`` selected."""
    choices = list(choices)  # read once: the key and the kept options come from the same choices
    try:
        key = tuple([(value, value.__class__, text := str(label), text.__class__, label.__class__)
                     for value, label in choices])
        pieces = kept(_OPTIONS, key, lambda: _option_pieces(choices), limit=1000)
    except TypeError:  # a value that is no key (a list)
        pieces = None
    if pieces is None:
        raise _Templates
    out = [f'<select name="{_shown(name)}"{_attrs(attrs)}>']
    found = False
    for value, head, tail in pieces:
        selected = not found and value in chosen
        found |= selected
        out.append(f"{head} selected{tail}" if selected else f"{head}{tail}")
    out.append("\n</select>")
    return "".join(out)


def _option_pieces(choices: Any) -> tuple[tuple[str, str, str], ...] | None:
    """Each option as (its value as the selection compares it, its markup before and after the place of
    `` selected``); None where an option is not written here (a group, a label that is no text)."""
    pieces = []
    for value, label in choices:
        if value is None:
            value = ""
        if isinstance(label, (list, tuple)) or not isinstance(label, (str, Promise)):
            return None
        pieces.append((str(value), f'\n  <option value="{_formatted(value)}"', f">{_shown(label)}</option>\n"))
    return tuple(pieces)
