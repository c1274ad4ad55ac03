"""Who may do what, and when a staff session has ended. Pure predicates, tested as tables."""

from datetime import datetime, timedelta

IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)

# Permissions per role. Partners read; facilitators run scans; beheerders do everything.
PERMISSIONS: dict[str, frozenset[str]] = {
    "partner": frozenset({"scan.view", "progress.view", "results.view", "plan.view"}),
    "facilitator": frozenset(
        {
            "scan.view",
            "progress.view",
            "scan.manage",
            "codes.manage",
            "paper.enter",
            "responses.export",
            "buurt.manage",
            "results.view",
            "results.publish",
            "remarks.view",
            "remarks.moderate",
            "themes.manage",
            "plan.view",
            "plan.manage",
            "vote.manage",
            "ballots.enter",
        }
    ),
    "beheerder": frozenset(
        {
            "scan.view",
            "progress.view",
            "scan.manage",
            "codes.manage",
            "paper.enter",
            "responses.export",
            "buurt.manage",
            "users.manage",
            "audit.view",
            "small_numbers.view",
            "results.view",
            "results.publish",
            "remarks.view",
            "remarks.moderate",
            "remarks.view_hidden",
            "themes.manage",
            "plan.view",
            "plan.manage",
            "vote.manage",
            "ballots.enter",
        }
    ),
}


def can(role: str, permission: str) -> bool:
    return permission in PERMISSIONS.get(role, frozenset())


def needs_totp(role: str, totp_enabled: bool) -> bool:
    """Beheerders must use a second factor; others may choose to."""
    return role == "beheerder" or totp_enabled


def session_expired(created_at: datetime, last_seen_at: datetime, now: datetime) -> bool:
    return now - last_seen_at > IDLE_TIMEOUT or now - created_at > ABSOLUTE_TIMEOUT
