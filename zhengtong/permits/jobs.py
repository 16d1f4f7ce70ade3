"""Scheduled jobs of the permits app, run by django-q2's worker (``zhengtong qcluster``).

=================================  ======================================  ==================================
schedule name                      function                                when
=================================  ======================================  ==================================
permits.daily                      jobs.daily                              every day at 08:00 Asia/Shanghai
=================================  ======================================  ==================================

``JOBS`` declares it (core.scheduling writes the schedule after every ``migrate``; ``zhengtong run_job
permits.daily`` runs it by hand).
"""

from datetime import date, time

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from zhengtong.core.scheduling import DAILY, Job
from zhengtong.permits import selectors
from zhengtong.permits.models import Reminder


def reminders_send(today: date | None = None) -> str:
    """Remind every unit whose campaign deadline is within the campaign's reminder window and that
    holds neither permit nor registration; one reminder per unit and deadline."""
    today = today or timezone.localdate()
    campaign = selectors.campaign_current()
    if campaign is None:
        return "no active campaign"
    sent = 0
    with override("zh-hans"):
        for row in selectors.campaign_units(user=None, campaign=campaign, today=today,
                                            due_within=campaign.reminder_days):
            due = row["due"].date
            _reminder, created = Reminder.objects.get_or_create(
                unit=row["unit"], kind=Reminder.Kind.CAMPAIGN_DEADLINE, due=due,
                defaults={"message": _("Apply for a permit or file a registration by %(due)s (%(campaign)s).")
                          % {"due": due.isoformat(), "campaign": campaign.name}},
            )
            sent += created
    return f"sent {sent} reminder(s)"


def daily(today: date | None = None) -> str:
    """The permits app's daily run: applications past the acceptance-notice limit count as accepted
    on receipt, permits past their term expire, renewal and deadline reminders go out, and
    violations found open enforcement cases."""
    from zhengtong.permits import compliance, workflow

    today = today or timezone.localdate()
    accepted = workflow.applications_deem_accepted(today=today)
    expired = workflow.permits_expire(today=today)
    renewals = renewal_reminders_send(today)
    cases = sum(compliance.enforcement_scan(today=today).values())
    return (f"{accepted} application(s) accepted by law, {expired} permit(s) expired, "
            f"{renewals} renewal reminder(s), {cases} enforcement case(s) opened, {reminders_send(today)}")


def renewal_reminders_send(today: date) -> int:
    """Valid permits within their renewal lead time (条例 Art. 14: 60 days before expiry) and with
    no renewal applied for get one reminder each."""
    from datetime import timedelta

    from zhengtong.permits import law
    from zhengtong.permits.models import Application, Permit

    sent = 0
    horizon = today + timedelta(days=90)
    with override("zh-hans"):
        for permit in Permit.objects.filter(status="valid", valid_until__lte=horizon).select_related("fixed_source"):
            lead, _article, _confirmed = law.renewal_lead_days(permit.valid_until)
            apply_by = permit.valid_until - timedelta(days=lead)
            if (apply_by - today).days > 30:
                continue
            if Application.objects.filter(renews=permit, kind="renewal").exclude(
                    status__in=["withdrawn", "refused", "not_accepted"]).exists():
                continue
            _r, created = Reminder.objects.get_or_create(
                unit_id=permit.fixed_source.unit_id, kind=Reminder.Kind.RENEWAL, due=apply_by,
                defaults={"message": _("Permit %(n)s expires on %(d)s: apply for renewal by %(by)s.") % {
                    "n": permit.number, "d": permit.valid_until.isoformat(), "by": apply_by.isoformat()}})
            sent += created
    return sent


JOBS = [
    Job("permits.daily", "zhengtong.permits.jobs.daily", DAILY, time(8, 0)),
]
