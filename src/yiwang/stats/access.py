"""Who sees which figures, in one place.

- Supervisors and platform administrators: every case of their division subtree.
- The handling staff of a department (window clerks, reviewers, approvers): their department's
  cases (as the handling department).
- Anyone else sees no statistics (the API answers 403, the workbench page 403 for other staff).

A filter by division or department narrows the reader's reach and never widens it: a division or
department outside it gives zeros, not another body's figures.
"""

from __future__ import annotations

from django.db.models import Q

from yiwang.accounts import access
from yiwang.accounts.models import User

watches = access.watched_prefix
handles = access.handled_department


def may_view(user: User) -> bool:
    return watches(user) is not None or handles(user) is not None


def scope(user: User, *, department_field: str = "department_id", division_field: str = "division_code") -> Q:
    """The rows (of `Daily`, or of another table with the same two columns) `user` may count."""
    return access.oversight_scope(user, department_field=department_field, division_field=division_field)
