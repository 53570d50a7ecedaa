"""System checks: a real deployment keeps its seals under its own master key."""

from __future__ import annotations

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def seal_master_key(app_configs, **kwargs):
    """W001: YIWANG_SEAL_KEY unset (the seals' private keys are encrypted with a key derived from
    SECRET_KEY); E002: set but not 32 bytes in base64 or hex."""
    from yiwang.licences import seal

    if not settings.LICENCE_SEAL_KEY:
        return [
            checks.Warning(
                "YIWANG_SEAL_KEY is not set: the seals' private keys are encrypted with a key derived "
                "from SECRET_KEY. Set a 32-byte key (base64 or hex) kept apart from the database.",
                id="licences.W001",
            )
        ]
    try:
        seal.master_key_from_text(settings.LICENCE_SEAL_KEY)
    except seal.SealError as error:
        return [checks.Error(f"YIWANG_SEAL_KEY: {error}", id="licences.E002")]
    return []
