"""A field's choice label without rebuilding its choices on every call.

Django's ``get_FOO_display`` builds a dict of the field's choices each time it is called, and hashing
each (value, label) pair turns every lazy label into text: a list page that shows a status and a
category on 50 rows translates some 600 labels (issue 19, "Performance"). ``fast_choice_displays``
gives each model of ours a ``get_FOO_display`` that looks the value up in a dict made once per field
and translates the one label it returns; what it returns is what Django's returns (the label as
text, or the value itself when it is not one of the choices)."""

from __future__ import annotations

from functools import partialmethod
from typing import Any

from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

DJANGO_DISPLAY = models.Model._get_FIELD_display  # type: ignore[attr-defined]


def _display(self: models.Model, *, field: models.Field) -> Any:
    labels = field.__dict__.get("_zt_choice_labels")
    if labels is None:  # once per field: the keys are the values, the labels stay lazy
        labels = {make_hashable(value): label for value, label in field.flatchoices}
        field.__dict__["_zt_choice_labels"] = labels
    value = getattr(self, field.attname)
    return force_str(labels.get(make_hashable(value), value), strings_only=True)


def fast_choice_displays(model: type[models.Model]) -> None:
    """Replace the ``get_FOO_display`` Django generated for each field with static choices (a model's
    own ``get_FOO_display`` is left alone)."""
    for field in model._meta.concrete_fields:
        if not field.choices or callable(field.choices):
            continue
        name = f"get_{field.name}_display"
        current = model.__dict__.get(name)
        if isinstance(current, partialmethod) and current.func is DJANGO_DISPLAY:
            setattr(model, name, partialmethod(_display, field=field))
