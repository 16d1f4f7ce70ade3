"""Chains of transmission between cases: which case was a contact of which earlier case, drawn as a
graph (server-side SVG, laid out here in layers; the page runs no script).

A link joins two cases of two people when one person was a contact of the other's case:
- in a kept trace of that case (``TraceContact``: first degree, or second degree through a contact),
- or in an isolation order made for that case (an officer isolated the person as its contact).
Overlap is symmetric, so a link points from the earlier case to the later one (by the case's first
day — onset, else sample — then its report); an excluded case is no case and takes no part. Where
both a trace and an order join a pair, the strongest reading is kept: the first degree of a trace,
then an order, then a second degree.

Scope: the viewer sees the cases the case list shows them (``accounts.scopes.cases_q``). A case
outside it that is linked to one of theirs is drawn masked — no name, number, status, date or
link, only that the chain goes on outside their scope — and a case outside it that is linked to none of
theirs is left out, as are links between two cases outside it.

The layout: each connected chain on its own band, top to bottom by its first case; within a chain,
a case's column is one more than its latest source's (so every link points right), and the cases
of a column are ordered by their sources' rows, then by date.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from zhengtong.accounts import scopes
from zhengtong.outbreak.models import Case, CaseStatus, IsolationOrder, TraceContact

NODE_W, NODE_H = 176, 48
COL_STEP, ROW_STEP = NODE_W + 56, NODE_H + 18
BAND_GAP = 14
MARGIN = 8

# evidence, strongest first
TRACE, ISOLATION, SECOND_DEGREE = "trace", "isolation", "second_degree"
STRENGTH = {TRACE: 0, ISOLATION: 1, SECOND_DEGREE: 2}


@dataclass
class Node:
    case: Case
    visible: bool
    layer: int = 0
    row: int = 0
    x: int = 0
    y: int = 0
    sources: list[Node] = field(default_factory=list)

    @property
    def key(self) -> tuple[date, datetime, int]:
        return (self.case.first_day, self.case.reported_at, self.case.pk)

    @property
    def case_id(self) -> int | None:
        return self.case.pk if self.visible else None

    @property
    def short_name(self) -> str:
        name = self.case.person.name
        return name if len(name) <= 8 else name[:7] + "…"


@dataclass
class Link:
    source: Node
    target: Node
    evidence: str
    minutes: int | None = None

    @property
    def path(self) -> str:
        """A curve from the right edge of the source to the left edge of the target. A link that skips
        columns runs along the gap below the lower of its two rows, where no case is drawn, so that it
        never passes under a case between them."""
        x1, y1 = self.source.x + NODE_W, self.source.y + NODE_H // 2
        x2, y2 = self.target.x - 4, self.target.y + NODE_H // 2
        if self.target.layer - self.source.layer <= 1:
            xm = (x1 + x2) // 2
            return f"M{x1},{y1} C{xm},{y1} {xm},{y2} {x2},{y2}"
        lane = max(self.source.y, self.target.y) + NODE_H + (ROW_STEP - NODE_H) // 2
        a, b = x1 + (COL_STEP - NODE_W) // 2, x2 - (COL_STEP - NODE_W) // 2
        return (f"M{x1},{y1} C{a},{y1} {x1},{lane} {a},{lane} L{b},{lane} "
                f"C{x2},{lane} {b},{y2} {x2},{y2}")


@dataclass
class Graph:
    nodes: list[Node]
    links: list[Link]
    unlinked: int  # cases the viewer sees with no link to any other
    width: int
    height: int

    @property
    def masked(self) -> int:
        return sum(1 for n in self.nodes if not n.visible)


def _order(case: Case) -> tuple[date, datetime, int]:
    return (case.first_day, case.reported_at, case.pk)


def case_links() -> dict[tuple[int, int], tuple[str, int | None]]:
    """Every link between two cases, city-wide: (earlier case id, later case id) → (evidence, minutes)."""
    live = Case.objects.exclude(status=CaseStatus.EXCLUDED)
    cases_of: dict[int, list[Case]] = defaultdict(list)
    for case in live.only("pk", "person_id", "onset_date", "sample_date", "reported_at"):
        cases_of[case.person_id].append(case)
    found: list[tuple[int, int, str, int | None]] = []  # (case id, the contact's person id, evidence, minutes)
    people = live.values("person_id")
    for row in (TraceContact.objects.filter(person_id__in=people, trace__case__in=live)
                .values("trace__case_id", "person_id", "degree", "minutes")):
        evidence = TRACE if row["degree"] == 1 else SECOND_DEGREE
        found.append((row["trace__case_id"], row["person_id"], evidence, row["minutes"]))
    for ordered_for, person_id in (IsolationOrder.objects.filter(person_id__in=people, case__in=live)
                                   .values_list("case_id", "person_id")):
        found.append((ordered_for, person_id, ISOLATION, None))
    by_id = {c.pk: c for cs in cases_of.values() for c in cs}
    links: dict[tuple[int, int], tuple[str, int | None]] = {}
    for case_id, person_id, evidence, minutes in found:
        a = by_id[case_id]
        for b in cases_of.get(person_id, ()):
            if b.person_id == a.person_id:
                continue
            pair = (a.pk, b.pk) if _order(a) < _order(b) else (b.pk, a.pk)
            held = links.get(pair)
            if held is None or (STRENGTH[evidence], -(minutes or 0)) < (STRENGTH[held[0]], -(held[1] or 0)):
                links[pair] = (evidence, minutes)
    return links


def chain_graph(*, user) -> Graph:
    """The chains the user may see, laid out (see the module's docstring for scope and layout)."""
    links = case_links()
    seen = set(Case.objects.filter(scopes.cases_q(user)).exclude(status=CaseStatus.EXCLUDED)
               .values_list("pk", flat=True))
    shown = {pair: v for pair, v in links.items() if pair[0] in seen or pair[1] in seen}
    ids = {i for pair in shown for i in pair}
    cases = {c.pk: c for c in Case.objects.filter(pk__in=ids).select_related("person")}
    nodes = {pk: Node(case, pk in seen) for pk, case in cases.items()}
    link_list = [Link(nodes[a], nodes[b], evidence, minutes) for (a, b), (evidence, minutes) in shown.items()]
    for link in link_list:
        link.target.sources.append(link.source)
    height = _layout(list(nodes.values()), link_list)
    width = MARGIN * 2 + (max((n.layer for n in nodes.values()), default=-1) + 1) * COL_STEP - (COL_STEP - NODE_W)
    ordered = sorted(nodes.values(), key=lambda n: (n.y, n.x))
    link_list.sort(key=lambda li: (li.source.key, li.target.key))
    return Graph(ordered, link_list, unlinked=len(seen - ids), width=max(width, 0), height=height)


def _components(nodes: list[Node], links: list[Link]) -> list[list[Node]]:
    parent = {id(n): id(n) for n in nodes}

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for link in links:
        parent[root(id(link.source))] = root(id(link.target))
    groups: dict[int, list[Node]] = defaultdict(list)
    for n in nodes:
        groups[root(id(n))].append(n)
    return sorted((sorted(g, key=lambda n: n.key) for g in groups.values()), key=lambda g: g[0].key)


def _layout(nodes: list[Node], links: list[Link]) -> int:
    """Place every node (x, y); return the drawing's height."""
    top = MARGIN
    for group in _components(nodes, links):
        for node in group:  # by date: a node's sources come before it
            node.layer = 1 + max((s.layer for s in node.sources), default=-1)
        columns: dict[int, list[Node]] = defaultdict(list)
        for node in group:
            columns[node.layer].append(node)
        rows = 0
        for layer in sorted(columns):
            column = sorted(columns[layer], key=lambda n: (
                sum(s.row for s in n.sources) / len(n.sources) if n.sources else 0, n.key))
            for row, node in enumerate(column):
                node.row = row
                node.x = MARGIN + layer * COL_STEP
                node.y = top + row * ROW_STEP
            rows = max(rows, len(column))
        top += rows * ROW_STEP + BAND_GAP
    return top - BAND_GAP + MARGIN if nodes else 0

