"""The two certificates of a pollutant discharge permit (排污许可证), the original (正本) and the
duplicate (副本), rendered as PDF with fpdf2 and an embedded subset of Noto Sans CJK SC.

Only field labels and the permit's own values are printed: no legal sentence is added from
memory. The font is core.pdf's (Noto Sans CJK SC, parsed once per process).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from fpdf import FPDF, FontFace
from fpdf.enums import TextMode

from zhengtong.core.pdf import FONT_FAMILY, add_cjk_font, font_face_index, font_path

__all__ = ["COPIES", "FONT_FAMILY", "add_cjk_font", "certificate_pdf", "font_face_index", "font_path"]

COPIES = ("original", "duplicate")


CHINA_TIME = timezone(timedelta(hours=8))
DASH = "—"

MEDIUM_LABELS = {"A": "大气", "W": "水"}
CLASS_LABELS = {"key": "重点管理", "simplified": "简化管理", "registration": "登记管理", "none": "未纳入名录",
                "undetermined": "未确定"}
STATUS_LABELS = {"valid": "有效", "superseded": "已被替代", "expired": "已过期", "revoked": "已撤销",
                 "cancelled": "已注销"}
REPORT_KIND_LABELS = {"annual": "年度", "semiannual": "半年", "quarterly": "季度", "monthly": "月度"}

HEADING_FILL = (232, 232, 232)
OUTLET_HEADINGS = ("排放口编号", "排放口名称", "类别", "排放去向", "污染物", "许可排放浓度", "许可年排放量（t/a）",
                   "执行标准")
OUTLET_WIDTHS = (20, 26, 10, 16, 26, 24, 20, 38)  # mm, 180 in all: the portrait page less its margins
LIMITS_PER_BLOCK = 6  # an outlet's rows are merged in blocks of at most this many, so a block fits a page


# Formatting ----------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """A value as printed: stripped, tabs as spaces, an empty one as a dash."""
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ").strip()
    return text or DASH


def _date(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else DASH


def _validity(permit) -> str:
    return f"{_date(permit.valid_from)} 至 {_date(permit.valid_until)}"


def _class_label(permit) -> str:
    label = CLASS_LABELS.get(permit.management_class)
    return label or _text(permit.get_management_class_display())


def _status_label(permit) -> str:
    label = STATUS_LABELS.get(permit.status)
    return label or _text(permit.get_status_display())


def _industries(content: dict) -> str:
    industries = [str(i).strip() for i in content.get("industries") or [] if str(i).strip()]
    return "；".join(industries) if industries else _text(content.get("industry_codes"))


def _basic_fields(permit, *, duplicate: bool) -> list[tuple[str, str]]:
    content = permit.content or {}
    fields = [("证书编号", _text(permit.number))]
    if (permit.national_number or "").strip():
        fields.append(("全国排污许可证管理信息平台编号", _text(permit.national_number)))
    fields += [
        ("单位名称", _text(content.get("unit_name"))),
        ("统一社会信用代码", _text(content.get("uscc"))),
        ("生产经营场所地址", _text(content.get("address"))),
        ("法定代表人", _text(content.get("legal_representative"))),
        ("行业类别", _industries(content)),
        ("管理类别", _class_label(permit)),
        ("有效期限", _validity(permit)),
    ]
    if duplicate:
        fields.append(("有效期限依据", _text(permit.validity_basis)))
    fields += [("发证机关", _text(content.get("authority"))), ("发证日期", _date(permit.decided_on))]
    if permit.status and permit.status != "valid":
        fields.append(("状态", _status_label(permit)))
    return fields


# The document --------------------------------------------------------------------------------------


class _Certificate(FPDF):
    """A4 page, our font, the footer (permit number, page N of M) on every page. With ``plain``,
    what would be tables is written as paragraphs (for text too long for a table row to fit a
    page, which fpdf2 cannot split)."""

    footer_offset = 13.0  # mm from the bottom of the page to the footer line

    def __init__(self, permit, *, orientation: str, title: str, plain: bool = False):
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.plain = plain
        self.permit_number = _text(permit.number)
        self.footer_texts: list[str] = []  # what each page's footer says, before {nb} is replaced
        add_cjk_font(self)
        self.set_font(FONT_FAMILY, size=10)
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=18)
        self.set_title(self.permit_number)
        self.set_subject(title)
        self.set_author(_text((permit.content or {}).get("authority")))
        self.set_creator("Zhengtong 政通")
        self.set_lang("zh-CN")
        # Deterministic: the decision date (else the start of validity), midnight Beijing time.
        day = permit.decided_on or permit.valid_from or date(2000, 1, 1)
        self.set_creation_date(datetime.combine(day, time(0, 0), tzinfo=CHINA_TIME))

    def footer(self) -> None:
        self.set_y(-self.footer_offset)
        self.set_font(FONT_FAMILY, size=8)
        self.set_text_color(80)
        page = f"第 {self.page_no()} 页 / 共 {self.str_alias_nb_pages} 页"
        self.footer_texts.append(f"{self.permit_number} {page}")
        self.set_x(self.l_margin)
        self.cell(self.epw / 2, 5, f"证书编号：{self.permit_number}", align="L")
        self.cell(self.epw / 2, 5, page, align="R")
        self.set_text_color(0)

    def bold_text(self):
        """Fill and stroke the glyphs: a heavier weight without a second font file."""
        return self.local_context(text_mode=TextMode.FILL_STROKE, line_width=0.25)

    def paragraph(self, text: str, size: float = 10, indent: float = 0) -> None:
        self.set_font(FONT_FAMILY, size=size)
        self.set_x(self.l_margin + indent)
        self.multi_cell(self.epw - indent, self.font_size * 1.6, text, align="L", new_x="LMARGIN", new_y="NEXT")

    def heading(self, text: str, size: float = 12) -> None:
        self.set_font(FONT_FAMILY, size=size)
        if self.will_page_break(self.font_size * 1.8 + 14):  # keep a heading with what follows
            self.add_page()
        with self.bold_text():
            self.cell(0, self.font_size * 1.8, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def fields_table(self, fields: Sequence[tuple[str, str]], *, label_width: float, size: float,
                     width: float | None = None, borders: str = "ALL") -> None:
        """Label and value, a row each."""
        if self.plain:
            for label, value in fields:
                self.paragraph(f"{label}：{value}", size)
            return
        self.set_font(FONT_FAMILY, size=size)
        width = width or self.epw
        with self.table(width=width, col_widths=(label_width, width - label_width), first_row_as_headings=False,
                        line_height=self.font_size * 1.5, text_align=("LEFT", "LEFT"), v_align="MIDDLE",
                        borders_layout=borders, padding=(1, 2)) as table:
            for label, value in fields:
                row = table.row()
                row.cell(label, style=FontFace(fill_color=HEADING_FILL) if borders == "ALL" else None)
                row.cell(value)

    def grid(self, headings: Sequence[str], col_widths: Sequence[float],
             groups: Iterable[tuple[Sequence[str], Sequence[Sequence[str]]]], size: float = 9) -> None:
        """A bordered table whose heading row repeats on every page it runs onto. Each group is
        (shared cells, rows): the shared cells fill the first columns, merged over the group's rows."""
        if self.plain:
            for shared, rows in groups:
                if shared:
                    self.paragraph("　".join(f"{h}：{v}" for h, v in zip(headings, shared, strict=False)), size)
                for cells in rows:
                    pairs = zip(headings[len(shared):], cells, strict=False)
                    self.paragraph("；".join(f"{h}：{v}" for h, v in pairs), size, indent=6 if shared else 0)
                self.ln(1)
            return
        self.set_font(FONT_FAMILY, size=size)
        with self.table(col_widths=tuple(col_widths), width=sum(col_widths), line_height=self.font_size * 1.45,
                        text_align="LEFT", v_align="MIDDLE", padding=(1, 1.2), repeat_headings=1,
                        headings_style=FontFace(fill_color=HEADING_FILL)) as table:
            heading = table.row()
            for text in headings:
                heading.cell(text, align="CENTER")
            for shared, rows in groups:
                for i, cells in enumerate(rows):
                    row = table.row()
                    if i == 0:
                        for text in shared:
                            row.cell(text, rowspan=len(rows))
                    for text in cells:
                        row.cell(text)

    def numbered(self, items: Sequence[str], size: float = 10) -> None:
        if self.plain:
            for number, item in enumerate(items, 1):
                self.paragraph(f"{number}. {item}", size)
            return
        self.set_font(FONT_FAMILY, size=size)
        with self.table(col_widths=(10, self.epw - 10), width=self.epw, first_row_as_headings=False,
                        borders_layout="NONE", text_align=("RIGHT", "LEFT"), v_align="TOP",
                        line_height=self.font_size * 1.6, padding=(0.6, 1)) as table:
            for number, item in enumerate(items, 1):
                row = table.row()
                row.cell(f"{number}.")
                row.cell(item)


def _fields_height(pdf: _Certificate, fields: Sequence[tuple[str, str]], label_width: float, width: float,
                   size: float) -> float:
    """The height ``fields_table`` will take at this font size (a dry run of each cell's text)."""
    pdf.set_font(FONT_FAMILY, size=size)
    line = pdf.font_size * 1.5
    total = 0.0
    for label, value in fields:
        lines = max(len(pdf.multi_cell(w - 4 - 2 * pdf.c_margin, line, text, dry_run=True, output="LINES"))
                    for w, text in ((label_width, label), (width - label_width, value)))
        total += lines * line + 2
    return total


def _original(permit, plain: bool) -> _Certificate:
    pdf = _Certificate(permit, orientation="L", title="排污许可证（正本）", plain=plain)
    pdf.set_margins(28, 22, 28)
    pdf.footer_offset = 21  # inside the frame
    pdf.set_auto_page_break(True, margin=24)
    pdf.add_page()
    # A double frame, as certificates have.
    pdf.set_draw_color(150, 40, 40)
    pdf.set_line_width(1.2)
    pdf.rect(9, 9, pdf.w - 18, pdf.h - 18)
    pdf.set_line_width(0.3)
    pdf.rect(12, 12, pdf.w - 24, pdf.h - 24)
    pdf.set_draw_color(0)
    pdf.set_line_width(0.2)

    pdf.set_y(20)
    pdf.set_font(FONT_FAMILY, size=30)
    pdf.set_char_spacing(6)
    with pdf.bold_text():
        pdf.cell(0, 14, "排污许可证", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, size=13)
    pdf.set_char_spacing(3)
    pdf.cell(0, 8, "正本", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_char_spacing(0)
    pdf.ln(4)

    fields = _basic_fields(permit, duplicate=False)
    width, label_width = 225.0, 80.0
    room = pdf.page_break_trigger - pdf.get_y() - 2
    # The largest size at which everything fits the page, the block centred in the room left.
    size, height = next(((s, h) for s in (13, 12, 11, 10, 9, 8, 7)
                         if (h := _fields_height(pdf, fields, label_width, width, s)) <= room), (6, room))
    pdf.set_y(pdf.get_y() + (room - height) / 2)
    pdf.fields_table(fields, label_width=label_width, width=width, size=size, borders="NONE")
    return pdf


def _outlet_groups(outlets: Sequence[dict]) -> Iterable[tuple[list[str], list[list[str]]]]:
    """One group per outlet, split every LIMITS_PER_BLOCK limits (fpdf2 never breaks a page inside
    merged cells, so a group must fit one)."""
    for outlet in outlets:
        if not isinstance(outlet, dict):
            continue
        shared = [_text(outlet.get("code")), _text(outlet.get("name")),
                  MEDIUM_LABELS.get(outlet.get("medium"), _text(outlet.get("medium"))),
                  _text(outlet.get("destination"))]
        rows = []
        for limit in [lim for lim in outlet.get("limits") or [] if isinstance(lim, dict)] or [{}]:
            concentration = _text(limit.get("concentration"))
            unit = str(limit.get("concentration_unit") or "").strip()
            if concentration != DASH and unit:
                concentration = f"{concentration} {unit}"
            rows.append([_text(limit.get("pollutant")), concentration, _text(limit.get("annual_quantity")),
                         _text(limit.get("standard"))])
        for start in range(0, len(rows), LIMITS_PER_BLOCK):
            yield shared, rows[start:start + LIMITS_PER_BLOCK]


def _duplicate(permit, plain: bool) -> _Certificate:
    content = permit.content or {}
    pdf = _Certificate(permit, orientation="P", title="排污许可证（副本）", plain=plain)
    pdf.add_page()
    pdf.set_font(FONT_FAMILY, size=20)
    pdf.set_char_spacing(3)
    with pdf.bold_text():
        pdf.cell(0, 10, "排污许可证", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, size=12)
    pdf.cell(0, 7, "副本", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_char_spacing(0)
    pdf.ln(3)

    pdf.heading("一、基本信息")
    pdf.fields_table(_basic_fields(permit, duplicate=True), label_width=58, size=10)
    pdf.ln(5)

    pdf.heading("二、排放口及许可排放限值")
    groups = list(_outlet_groups(content.get("outlets") or []))
    if groups:
        pdf.grid(OUTLET_HEADINGS, OUTLET_WIDTHS, groups)
    else:
        pdf.paragraph(DASH)
    pdf.ln(5)

    pdf.heading("三、自行监测要求")
    pdf.paragraph(_text(content.get("monitoring_plan")))
    pdf.ln(5)

    pdf.heading("四、执行报告")
    cadence = [([], [[REPORT_KIND_LABELS.get(c.get("kind"), _text(c.get("kind"))), _text(c.get("label")),
                      _text(c.get("due"))]]) for c in permit.report_cadence or [] if isinstance(c, dict)]
    if cadence:
        pdf.grid(["报告类别", "报告名称", "提交时限"], (30, 60, 90), cadence, size=10)
    else:
        pdf.paragraph(DASH)
    pdf.ln(5)

    pdf.heading("五、排污单位义务")
    duties = [_text(d) for d in content.get("duties") or [] if str(d).strip()]
    if duties:
        pdf.numbered(duties)
    else:
        pdf.paragraph(DASH)
    return pdf


_BUILDERS = {"original": _original, "duplicate": _duplicate}


def _render(permit, copy: str) -> _Certificate:
    """The laid-out document (not yet written out), for ``certificate_pdf`` and the tests."""
    build = _BUILDERS.get(copy)
    if build is None:
        raise ValueError(f"copy must be one of {COPIES}, not {copy!r}")
    try:
        return build(permit, plain=False)
    except ValueError as exc:  # fpdf2: "The row with index N is too high and cannot be rendered on a single page"
        if "too high" not in str(exc):
            raise
        return build(permit, plain=True)


def certificate_pdf(permit, copy: str) -> bytes:
    """The permit's original (``copy="original"``, 正本: one A4 landscape page) or duplicate
    (``copy="duplicate"``, 副本: A4 portrait, as many pages as its tables need) as PDF bytes.

    Reads only the permit's fields (number, national_number, management_class, status, dates,
    validity_basis, report_cadence, content), so an unsaved ``Permit`` renders too. Two renders of
    the same permit give the same bytes (the creation date is the decision date).
    Raises ValueError for any other ``copy``."""
    if copy not in COPIES:
        raise ValueError(f"copy must be one of {COPIES}, not {copy!r}")
    return bytes(_render(permit, copy).output())
