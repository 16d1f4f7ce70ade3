"""The shapes a domain app's home-page selectors return (``todo`` and ``figures``), so that
the dashboard can show every app's panels without knowing any app's models."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """A number the user sees at a glance, linking to the page that lists what it counts."""

    label: str
    value: int
    url: str


@dataclass(frozen=True)
class Todo:
    """One thing that needs the user's attention; ``urgent`` marks it overdue."""

    text: str
    url: str
    urgent: bool = False
