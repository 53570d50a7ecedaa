from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """A password must mix at least two of: letters, digits, other characters."""

    def validate(self, password: str, user=None) -> None:
        classes = sum(
            (
                any(c.isalpha() for c in password),
                any(c.isdigit() for c in password),
                any(not c.isalnum() for c in password),
            )
        )
        if classes < 2:
            raise ValidationError(_("密码需至少包含字母、数字、符号中的两类。"), code="password_classes")

    def get_help_text(self) -> str:
        return _("密码需至少包含字母、数字、符号中的两类。")
