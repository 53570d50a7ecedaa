"""The holder's wallet (卡包): sharing a licence for verification through a link that expires, and
the use log the holder reads (every use as material, every view through a shared link)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.accounts.models import User
from yiwang.licences.models import Licence, LicenceUse, ShareLink, UseKind


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def share(user: User, licence: Licence, days: int) -> tuple[ShareLink, str]:
    """A link for someone to see the licence and its verification; the token is shown once."""
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= settings.LICENCE_SHARE_MAX_DAYS:
        raise ValidationError(
            {"days": [_("分享有效期应为 1 至 %(max)d 天。") % {"max": settings.LICENCE_SHARE_MAX_DAYS}]}
        )
    if not licence.usable:
        raise ValidationError({"licence": [_("只有有效的证照可以分享。")]})
    token = secrets.token_urlsafe(24)
    link = ShareLink.objects.create(
        licence=licence,
        token_hash=_hash(token),
        created_by=user,
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    return link, token


def revoke_share(link: ShareLink) -> None:
    ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def open_shared(token: str) -> Licence | None:
    """The licence behind a live share link (logged as a use), or None: expired, revoked, unknown."""
    token = (token or "").strip()
    if not token or len(token) > 64:
        return None
    link = (
        ShareLink.objects.select_related("licence__licence_type", "licence__issuer", "licence__seal_key")
        .filter(token_hash=_hash(token), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if link is None:
        return None
    with transaction.atomic():
        ShareLink.objects.filter(pk=link.pk).update(views=F("views") + 1)
        LicenceUse.objects.create(
            licence=link.licence, kind=UseKind.SHARED_VIEW, by_label=_("通过分享链接查看"), at=timezone.now()
        )
    return link.licence


def log_download(user: User, licence: Licence) -> None:
    LicenceUse.objects.create(licence=licence, kind=UseKind.DOWNLOAD, by=user, by_label=user.get_username())


def uses(licence: Licence) -> list[LicenceUse]:
    return list(licence.uses.select_related("case").order_by("-at", "-id")[:200])
