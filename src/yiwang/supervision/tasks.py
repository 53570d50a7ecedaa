"""Background work of electronic supervision, run by `yiwang worker`."""

from __future__ import annotations

from django_tasks import task


@task()
def supervision_pass() -> dict[str, dict[str, int]]:
    """Evaluate every state rule over all cases and 差评 loops (set statements per rule)."""
    from yiwang.supervision.services import run_pass

    return run_pass()
