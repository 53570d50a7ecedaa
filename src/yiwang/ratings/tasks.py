"""Background work on ratings, run by `yiwang worker` (django-tasks with the database backend)."""

from __future__ import annotations

from django_tasks import task


@task()
def send_invitations() -> dict[str, int]:
    """Invite the applicants who left a stage unrated for the configured days (once per stage)."""
    from yiwang.ratings.invitations import send_due

    return {"invited": send_due()}
