"""Reads of users' role assignments."""

from zhengtong.accounts.models import RoleAssignment


def assignments_of(user) -> list[RoleAssignment]:
    """The user's role assignments with the region, department, site or unit each is for."""
    return list(
        RoleAssignment.objects.filter(user=user).select_related("region", "department", "site__unit", "unit")
    )
