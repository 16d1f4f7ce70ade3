"""Set-up shared by the permit tests: a permit issued without going through the workflow."""

from datetime import date

from zhengtong.accounts.models import Role
from zhengtong.permits.models import Application, FixedSource, Permit

COD_OUTLET = {"code": "DW001", "name": "总排口", "medium": "W", "limits": [
    {"pollutant": "化学需氧量", "concentration": "100", "concentration_unit": "mg/L", "annual_quantity": "10"}]}


def issued_permit(world, *, valid_until=date(2023, 3, 31), cadence=("annual", "quarterly"), outlets=(COD_OUTLET,),
                  unit=None) -> Permit:
    """A key-management permit of ``unit`` (default unit_a), decided 2020-04-01."""
    unit = unit or world.unit_a
    source = FixedSource.objects.create(unit=unit, sequence=1)
    admin = world.users[Role.CITY_ADMIN]
    application = Application.objects.create(fixed_source=source, management_class="key", status="issued",
                                             created_by=admin)
    return Permit.objects.create(
        fixed_source=source, application=application, number=f"{unit.uscc}001P", management_class="key",
        decided_on=date(2020, 4, 1), valid_from=date(2020, 4, 1), valid_until=valid_until,
        validity_basis="办法2018 第二十一条", issued_by=admin,
        report_cadence=[{"kind": k, "label": k} for k in cadence], content={"outlets": list(outlets)})
