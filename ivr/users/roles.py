"""The console's roles and what each may do, as data (one table; the console asks it, never the role name)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A user's role."""

    ADMIN = "admin"
    COORDINATOR = "coordinator"
    FINANCE = "finance"
    AUDITOR = "auditor"


class Permission(StrEnum):
    """One thing a role may do."""

    LIVE = "live"  # the live log
    REPORTS = "reports"  # read reports (with the personnummer; every read is logged)
    ACKNOWLEDGE = "acknowledge"  # acknowledge a report for a receiving unit
    CANCEL = "cancel"  # cancel a report of the own organisation
    EXPORT = "export"  # export reports with personnummer (logged)
    TICKETS = "tickets"  # read fault tickets and hear their voicemail
    HANDLE_TICKETS = "handle_tickets"  # assign and close tickets
    OUTAGES = "outages"  # start, end and plan outages
    SCHEDULE = "schedule"  # override the help desk / standby schedule
    DIRECTORY = "directory"  # edit and import the directory
    LIABILITY = "liability"  # the liability report (with personnummer; logged)
    WORKLIST = "worklist"  # read the reconciliation worklist
    MARK_WORKLIST = "mark_worklist"  # tick items done, reopen them
    SMS_LOG = "sms_log"
    AUDIT_LOG = "audit_log"  # the audit log and the access log


P = Permission
PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(
        {P.LIVE, P.TICKETS, P.HANDLE_TICKETS, P.OUTAGES, P.SCHEDULE, P.DIRECTORY, P.SMS_LOG, P.AUDIT_LOG}
    ),
    Role.COORDINATOR: frozenset(
        {
            P.LIVE,
            P.REPORTS,
            P.ACKNOWLEDGE,
            P.CANCEL,
            P.EXPORT,
            P.TICKETS,
            P.HANDLE_TICKETS,
            P.WORKLIST,
            P.MARK_WORKLIST,
        }
    ),
    Role.FINANCE: frozenset({P.LIABILITY}),
    Role.AUDITOR: frozenset({P.LIVE, P.REPORTS, P.TICKETS, P.WORKLIST, P.LIABILITY, P.SMS_LOG, P.AUDIT_LOG}),
}
ROLES = tuple(role.value for role in Role)


def may(role: str, permission: Permission) -> bool:
    """Whether a role may do something (an unknown role may do nothing)."""
    try:
        return permission in PERMISSIONS[Role(role)]
    except ValueError:
        return False
