"""Every form class of the project, for tests that hold a rule over all of them."""

import importlib
import inspect
import pkgutil
from collections.abc import Iterator

from django import forms

import zhengtong


def project_forms() -> Iterator[type[forms.BaseForm]]:
    """The form classes defined in the project's ``forms`` and ``views`` modules (tests and migrations
    apart), each once."""
    for module in pkgutil.walk_packages(zhengtong.__path__, "zhengtong."):
        if ".tests" in module.name or "tests_" in module.name or "migrations" in module.name:
            continue
        if not (module.name.endswith(".forms") or ".views" in module.name):
            continue
        loaded = importlib.import_module(module.name)
        for _name, cls in inspect.getmembers(loaded, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == loaded.__name__:
                yield cls
