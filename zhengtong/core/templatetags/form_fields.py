"""A list's filter form written out in Python (core.forms.labelled_fields): the same markup as
``{% for field in form %}<label>{{ field.label }}{{ field }}</label>{% endfor %}``."""

from django import forms, template
from django.utils.safestring import SafeString

from zhengtong.core.forms import labelled_fields as write_labelled_fields

register = template.Library()


@register.simple_tag
def labelled_fields(form: forms.Form) -> SafeString:
    return write_labelled_fields(form)
