"""Finding what each app declares by convention, without one app naming another.

Each app of the project (an installed app inside the ``zhengtong`` package) may hold these modules:

==============  ==========================================================================================
module          declares
==============  ==========================================================================================
``jobs.py``     ``JOBS``: a list of ``core.scheduling.Job``, the app's scheduled jobs (django-q2 schedules)
``demo.py``     ``load(*, admin, named_sites, rng, today) -> int`` and ``wipe() -> None``: the app's part of
                the demo city (``zhengtong demo``); ``LABEL`` names the count ``load`` returns (default:
                the app's label). The registry's own ``demo.py`` builds the city and calls the others.
``refdata.py``  ``load() -> dict[str, int]``: the app's shipped reference tables, loaded or corrected
                (``zhengtong load_reference_data``); returns a count per table
==============  ==========================================================================================

Order: the order of ``INSTALLED_APPS``, which lists the lower apps first (registry, accounts,
screening, permits). Loaders run in that order, so that an app's data finds the data it builds on;
wipers run in the reverse order, so that an app's data goes before the data it refers to.

An app that has no such module is skipped. Nothing registers itself: adding the module is enough.
"""

import importlib
import importlib.util
from types import ModuleType

from django.apps import AppConfig, apps

PROJECT_PACKAGE = __name__.split(".")[0]  # "zhengtong": only our apps follow the convention


def project_apps() -> list[AppConfig]:
    """The installed apps inside the project's package, in the order of INSTALLED_APPS."""
    return [app for app in apps.get_app_configs() if app.name.startswith(PROJECT_PACKAGE + ".")]


def app_modules(module_name: str) -> list[tuple[AppConfig, ModuleType]]:
    """(app, module) for every project app that has a module ``module_name`` (e.g. "jobs"), in the
    order of INSTALLED_APPS. A module that exists but fails to import raises: a broken ``jobs.py``
    must not pass unnoticed as a missing one."""
    found = []
    for app in project_apps():
        dotted = f"{app.name}.{module_name}"
        if importlib.util.find_spec(dotted) is not None:
            found.append((app, importlib.import_module(dotted)))
    return found
