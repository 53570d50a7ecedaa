"""Who may rate, see ratings and take the steps of the bad-rating loop, in one place.

- Only the applicant of a real case rates it (the person, or the enterprise's account or agent).
  Staff handling the case may enter a rating the applicant gave by phone or SMS (recorded as such),
  and the window clerk's counter shows the rating device to the applicant after a visit.
- Staff see their own department's ratings, supervisors those of their division subtree; nobody
  on the staff side sees which case (and so who) gave a rating unless it is a 差评 whose loop has
  opened: the department must reach the applicant to put it right.
- The loop's steps and appeals: the staff (window clerks, reviewers, approvers) of the department
  the 差评 concerns. Rulings on appeals: supervisors (and platform administrators) of the tree.
Anything else answers 404.
"""

from __future__ import annotations

from django.db.models import QuerySet

from yiwang.accounts import access
from yiwang.accounts.models import User
from yiwang.cases import access as case_access
from yiwang.cases.models import Case
from yiwang.cases.rules import Actor
from yiwang.ratings.models import Appeal, FollowUp, Rating

HANDLING_ROLES = access.HANDLING_ROLES
WATCHING_ROLES = access.WATCHING_ROLES
_watches = access.watched_prefix
_department_of = access.handled_department


def is_applicant(user: User, case: Case) -> bool:
    return case_access.is_applicant_of(user, case)


def may_enter_for_applicant(user: User, case: Case) -> bool:
    """Staff who handle the case record a rating the applicant gave by phone or SMS."""
    return bool(case_access.staff_actors(user, case))


def may_show_device(user: User, case: Case) -> bool:
    """The window clerk's counter shows the rating device for the cases the clerk may handle."""
    return Actor.WINDOW_CLERK in case_access.staff_actors(user, case)


def visible_ratings(user: User) -> QuerySet[Rating]:
    return Rating.objects.select_related("department", "entry").filter(access.oversight_scope(user))


def visible_follow_ups(user: User) -> QuerySet[FollowUp]:
    # The read model shows each loop's appeal and steps: fetched with the loops, not one by one.
    qs = FollowUp.objects.select_related(
        "rating", "rating__case", "rating__entry", "rating__appeal", "department"
    ).prefetch_related("events")
    return qs.filter(access.oversight_scope(user))


def follow_up_for(user: User, follow_up_id: int) -> FollowUp | None:
    return visible_follow_ups(user).filter(pk=follow_up_id).first()


def may_take_steps(user: User, follow_up: FollowUp) -> bool:
    return _department_of(user) == follow_up.department_id


def may_appeal(user: User, rating: Rating) -> bool:
    return rating.bad and _department_of(user) == rating.department_id


def may_rule(user: User, appeal: Appeal) -> bool:
    prefix = _watches(user)
    return prefix is not None and appeal.rating.division_code.startswith(prefix)


def visible_appeals(user: User) -> QuerySet[Appeal]:
    qs = Appeal.objects.select_related("rating", "rating__department", "rating__entry", "rating__case")
    return qs.filter(
        access.oversight_scope(
            user, department_field="rating__department_id", division_field="rating__division_code"
        )
    )


def applicant_rating(user: User, rating_id: int) -> Rating | None:
    """A rating of one of the applicant's own cases (to rate its rectification)."""
    q = case_access.applicant_filter(user)
    if q is None:
        return None
    cases = Case.objects.filter(q).values("pk")
    return Rating.objects.select_related("case").filter(pk=rating_id, case__in=cases).first()


def sees_rater(user: User, rating: Rating) -> bool:
    """Whether the reader may see which case gave this rating: its applicant, or staff once a
    差评's loop has opened."""
    if rating.rater_id is not None and rating.rater_id == user.pk:
        return True
    return rating.bad and (_watches(user) is not None or _department_of(user) == rating.department_id)
