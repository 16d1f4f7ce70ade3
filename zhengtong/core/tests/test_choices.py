"""core.choices: a field's label from a dict made once, the same as Django's get_FOO_display."""

from django.apps import apps
from django.db.models import Model
from django.utils import translation

from zhengtong.resumption.models import Difficulty


def test_every_choice_label_of_ours_is_what_django_gives_in_both_languages():
    checked = 0
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for model in apps.get_models(include_auto_created=True):
                if not model.__module__.startswith("zhengtong."):
                    continue
                for field in model._meta.concrete_fields:
                    if not field.choices:
                        continue
                    for value in [*(c[0] for c in field.flatchoices), "not-a-choice", None]:
                        row = model()
                        setattr(row, field.attname, value)
                        ours = getattr(row, f"get_{field.name}_display")()
                        django = Model._get_FIELD_display(row, field)  # type: ignore[attr-defined]
                        assert ours == django and type(ours) is type(django), (model, field.name, value)
                        checked += 1
    assert checked > 100
    with translation.override("en"):
        assert Difficulty(status="reported").get_status_display() != Difficulty(status="closed").get_status_display()
