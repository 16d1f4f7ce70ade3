"""The unit export, in the layout the unit import reads back. The cells are written by
``core.exports``, which neutralises formulas in every export (``safe_cell``); its writers are
named here too for the registry's callers."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from zhengtong.core.exports import restore_cell, safe_cell, write_csv, write_xlsx
from zhengtong.registry.models import Unit

__all__ = ["UNIT_HEADERS", "UNIT_WIDTHS", "restore_cell", "safe_cell", "units_xlsx", "write_csv", "write_xlsx"]

# The layout of the unit export, which the unit import reads back (imports.HEADERS).
UNIT_HEADERS = [
    "统一社会信用代码", "单位名称", "类型", "县区", "行业代码", "行业名称",
    "地址", "法定代表人", "联系人", "联系电话", "状态",
]
UNIT_WIDTHS = [22, 36, 12, 10, 10, 30, 40, 12, 10, 16, 8]


def units_xlsx(queryset: QuerySet[Unit]) -> bytes:
    """The units of a (scoped) queryset in the layout the unit import reads back."""
    units = queryset.select_related("county", "industry").iterator(chunk_size=2000)
    rows = (
        [
            u.uscc, u.name, u.get_kind_display(), u.county.name, u.industry.code, u.industry.name, u.address,
            u.legal_representative, u.contact_name, u.contact_phone, u.get_status_display(),
        ]
        for u in units
    )
    return write_xlsx(UNIT_HEADERS, rows, sheet_name=_("Units"), widths=UNIT_WIDTHS)
