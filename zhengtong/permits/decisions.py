"""The decision documents of an enforcement case: 责令改正违法行为决定书, 责令限制生产或停产整治决定书 and
行政处罚决定书, numbered per kind and year, generated once as PDF with the Chinese font of the
certificates, and kept as issued.

What a document says is configuration (``data/decision-documents.toml``, or the city's own file in
``settings.DECISION_DOCUMENTS_FILE``): we hold no text of the contents the Administrative Penalty Law
requires, so each template is marked "rule text not confirmed" until the city confirms it; the
document and the case page say so. Only the case's own facts are printed, with the configured
headings: no legal sentence is written from memory.

A document is issued once per case and kind (409 after); its content (``content``) and its bytes
(``pdf``, ``sha256``) are stored when issued and served as stored: a later change of the case, the
unit or the template never changes an issued document.
"""

from __future__ import annotations

import functools
import hashlib
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import TextMode

from zhengtong.accounts import scopes
from zhengtong.core.errors import DomainError
from zhengtong.core.money import amount_in_words
from zhengtong.core.pdf import FONT_FAMILY, add_cjk_font
from zhengtong.permits import law
from zhengtong.permits.certificates import CHINA_TIME
from zhengtong.permits.models import DecisionDocument, EnforcementCase

DEFAULT_FILE = Path(__file__).parent / "data" / "decision-documents.toml"
KINDS = tuple(DecisionDocument.Kind.values)
ISSUABLE = (EnforcementCase.Status.DECIDED, EnforcementCase.Status.RECTIFYING)
MEASURE_WORDS = {
    "order_correction": "责令改正违法行为",
    "restrict_production": "责令限制生产",
    "suspend": "责令停产整治",
    "cease_or_close": "报经有批准权的人民政府批准，责令停业、关闭",
    "revoke_permit": "吊销排污许可证",
}
SECTION_HEADINGS = {
    "unit": "当事人", "facts": "违法事实", "basis": "法律依据", "measures": "决定内容",
    "deadline": "改正期限", "fine": "罚款", "remedies": "救济途径",
}


@dataclass(frozen=True)
class Template:
    kind: str
    title: str
    number: str
    measures: tuple[str, ...]
    sections: tuple[str, ...]
    confirmed: bool


@dataclass(frozen=True)
class Templates:
    authority: str
    authority_short: str
    remedies: str
    by_kind: dict[str, Template]


@functools.cache
def _load(path: str) -> Templates:
    with open(path, "rb") as f:
        data = tomllib.load(f)
    by_kind = {}
    for kind in KINDS:
        t = data[kind]
        unknown = set(t["sections"]) - set(SECTION_HEADINGS)
        if unknown:
            raise ValueError(f"{path}: [{kind}] has unknown sections {sorted(unknown)}")
        by_kind[kind] = Template(kind, t["title"], t["number"], tuple(t.get("measures", ())), tuple(t["sections"]),
                                 bool(t.get("confirmed", False)))
    authority = data.get("authority") or settings.PERMIT_AUTHORITY_NAME
    return Templates(authority, data["authority_short"], data.get("remedies", ""), by_kind)


def templates() -> Templates:
    return _load(str(getattr(settings, "DECISION_DOCUMENTS_FILE", "") or DEFAULT_FILE))


def documents_due(case: EnforcementCase) -> list[Template]:
    """The documents the case's decision calls for: a correction order for the measure "order
    correction", a restriction or suspension decision for those measures, a penalty decision for a
    fine; in the templates' order."""
    t = templates()
    due = []
    for kind in KINDS:
        template = t.by_kind[kind]
        if kind == DecisionDocument.Kind.PENALTY:
            if case.fine and case.fine > 0:
                due.append(template)
        elif set(template.measures) & set(case.measures or ()):
            due.append(template)
    return due


# Content, as issued --------------------------------------------------------------------------------


def _content(case: EnforcementCase, template: Template, t: Templates, number: str, issued_on: date) -> dict[str, Any]:
    unit = case.unit
    basis = law.penalty(case.basis)
    return {
        "authority": t.authority, "title": template.title, "number": number, "issued_on": issued_on.isoformat(),
        "confirmed": template.confirmed, "sections": list(template.sections),
        "unit": {"name": unit.name, "uscc": unit.uscc, "address": unit.address,
                 "legal_representative": unit.legal_representative},
        "facts": {"kind": str(case.get_kind_display()), "violation_date": case.violation_date.isoformat(),
                  "details": case.details, "reference": case.reference},
        "basis": basis.text if basis else case.basis,
        "measures": [MEASURE_WORDS.get(m, m) for m in case.measures or ()
                     if not template.measures or m in template.measures],
        "deadline": case.rectification_deadline.isoformat() if case.rectification_deadline else "",
        "fine": f"{case.fine:,.2f}" if case.fine is not None else "",
        "fine_words": amount_in_words(case.fine) if case.fine is not None else "",
        "remedies": t.remedies,
    }


class _Decision(FPDF):
    def __init__(self, content: dict[str, Any]):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.content = content
        add_cjk_font(self)
        self.set_margins(25, 25, 25)
        self.set_auto_page_break(True, margin=22)
        self.set_title(content["number"])
        self.set_subject(content["title"])
        self.set_author(content["authority"])
        self.set_creator("Zhengtong 政通")
        self.set_lang("zh-CN")
        self.set_creation_date(datetime.combine(date.fromisoformat(content["issued_on"]), time(0, 0),
                                                tzinfo=CHINA_TIME))

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(FONT_FAMILY, size=8)
        self.set_text_color(90)
        note = "" if self.content["confirmed"] else "模板未经法规文本确认 · "
        self.cell(0, 5, f"{note}{self.content['number']} 第 {self.page_no()} 页 / 共 {{nb}} 页", align="C")
        self.set_text_color(0)

    def heading(self, text: str, size: float) -> None:
        self.set_font(FONT_FAMILY, size=size)
        with self.local_context(text_mode=TextMode.FILL_STROKE, line_width=0.3):
            self.multi_cell(0, size * 0.6, text, align="C", new_x="LMARGIN", new_y="NEXT")

    def para(self, text: str, size: float = 11, label: str = "") -> None:
        self.set_font(FONT_FAMILY, size=size)
        if label:
            with self.local_context(text_mode=TextMode.FILL_STROKE, line_width=0.2):
                self.cell(self.get_string_width(label) + 1, size * 0.55, label)
        self.multi_cell(0, size * 0.55, text or "—", new_x="LMARGIN", new_y="NEXT")
        self.ln(1.5)


def render_pdf(content: dict[str, Any]) -> bytes:
    """The document as PDF, from its stored content only (two renders give the same bytes)."""
    pdf = _Decision(content)
    pdf.add_page()
    pdf.heading(content["authority"], 16)
    pdf.ln(2)
    pdf.heading(content["title"], 20)
    pdf.ln(2)
    pdf.set_font(FONT_FAMILY, size=11)
    pdf.cell(0, 7, content["number"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    unit = content["unit"]
    facts = content["facts"]
    for key in content["sections"]:
        label = SECTION_HEADINGS[key] + "："
        if key == "unit":
            pdf.para(unit["name"], label=label)
            pdf.para(unit["uscc"], label="统一社会信用代码：")
            pdf.para(unit["address"], label="地址：")
            pdf.para(unit["legal_representative"], label="法定代表人：")
        elif key == "facts":
            text = f"{facts['violation_date']}，{facts['kind']}。{facts['details']}".rstrip("。") + "。"
            pdf.para(text, label=label)
        elif key == "basis":
            pdf.para(content["basis"], label=label)
        elif key == "measures":
            pdf.para("；".join(content["measures"]) or "—", label=label)
        elif key == "deadline":
            pdf.para(f"于 {content['deadline']} 前改正" if content["deadline"] else "—", label=label)
        elif key == "fine":
            pdf.para(f"人民币 {content['fine']} 元（{content['fine_words']}）" if content["fine"] else "—", label=label)
        elif key == "remedies":
            pdf.para(content["remedies"], label=label)
    pdf.ln(10)
    pdf.set_font(FONT_FAMILY, size=11)
    pdf.cell(0, 7, content["authority"], align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 7, content["issued_on"], align="R", new_x="LMARGIN", new_y="NEXT")
    if not content["confirmed"]:
        pdf.ln(6)
        pdf.set_font(FONT_FAMILY, size=9)
        pdf.set_text_color(150, 0, 0)
        pdf.multi_cell(0, 5, "本文书模板未经法规文本确认：所列内容为系统配置，签发前请按现行规定核对。",
                       new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0)
    return bytes(pdf.output())


# Issuing -------------------------------------------------------------------------------------------


def document_issue(*, user, case: EnforcementCase, kind: str, on: date | None = None) -> DecisionDocument:
    """Issue the case's document of ``kind`` once: numbered (the next of its kind this year), its
    content taken from the case now, its PDF made and kept. Refused (409) when the case is not
    decided, when its decision does not call for this document, or when it was issued already."""
    if not scopes.can_review_permits(user, case.unit):
        raise PermissionDenied(_("Only the permit reviewers of the unit's region issue its documents."))
    t = templates()
    template = t.by_kind.get(kind)
    if template is None:
        raise DomainError(_("Unknown document."), field="kind")
    issued_on = on or timezone.localdate()
    for _attempt in range(5):
        try:
            with transaction.atomic():
                case = EnforcementCase.objects.select_for_update().select_related("unit").get(pk=case.pk)
                if case.status not in ISSUABLE:
                    raise DomainError(_("A document is issued once the case is decided, and before it is closed."),
                                      field="kind", status=409)
                if template not in documents_due(case):
                    raise DomainError(_("The case's decision does not call for this document."), field="kind",
                                      status=409)
                if DecisionDocument.objects.filter(case=case, kind=kind).exists():
                    raise DomainError(_("This document was issued already: it is kept as issued."), field="kind",
                                      status=409)
                last = (DecisionDocument.objects.filter(kind=kind, year=issued_on.year)
                        .order_by("-sequence").values_list("sequence", flat=True).first()) or 0
                number = template.number.format(authority_short=t.authority_short, year=issued_on.year,
                                                sequence=last + 1)
                content = _content(case, template, t, number, issued_on)
                pdf = render_pdf(content)
                return DecisionDocument.objects.create(
                    case=case, kind=kind, year=issued_on.year, sequence=last + 1, number=number,
                    issued_on=issued_on, issued_by=user, content=content, template_confirmed=template.confirmed,
                    pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest())
        except IntegrityError:  # another officer took the number at the same moment: take the next
            if DecisionDocument.objects.filter(case=case, kind=kind).exists():
                raise DomainError(_("This document was issued already: it is kept as issued."), field="kind",
                                  status=409) from None
    raise DomainError(_("The document number is busy: try again."), field="kind", status=409)
