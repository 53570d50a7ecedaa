"""A rating or a loop step from an HTML form (the portal's page, the window's device, the
workbench), checked by the same models as the API, with the errors by field."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticError

from yiwang.core import validation
from yiwang.ratings import rules


def rating_from_post(post: QueryDict, channel: str) -> tuple[rules.RatingIn | None, dict[str, list[str]]]:
    """`level`, `ind-<key>` per indicator (optional), `tags` (several), `comment`, `stage`."""
    data: dict[str, Any] = {"comment": post.get("comment", "")}
    if post.get("level"):
        data["level"] = post.get("level")
    if post.get("stage"):
        data["stage"] = post.get("stage")
    indicators = {key: post.get(f"ind-{key}") for key in rules.INDICATORS[channel] if post.get(f"ind-{key}")}
    if indicators:
        data["indicators"] = indicators
    tags = post.getlist("tags")
    if tags:
        data["tags"] = tags
    try:
        given = rules.RatingIn.model_validate(data)
    except PydanticError as exc:
        errors = validation.by_field(exc.errors())
        if "level" in errors and "level" not in data:
            errors["level"] = [validation.message_for({"type": "missing"})]
        return None, {key.split(".")[0]: value for key, value in errors.items()}
    return given, {}


_STEP = TypeAdapter(rules.StepIn)


def step_from_post(post: QueryDict) -> tuple[rules.StepPayload | None, dict[str, list[str]]]:
    """One step of the loop: `step` and its fields (`method`, `finding`, `kind`, `note`)."""
    step = post.get("step", "")
    declared = rules.STEPS.get(step)
    if declared is None:
        return None, {"step": [validation.message_for({"type": "literal_error"})]}
    # An empty choice is a missing one (此项为必填项), not a value outside the choices.
    fields = (name for name in declared.payload.model_fields if name != "step")
    data = {"step": step, **{name: value for name in fields if (value := post.get(name, "").strip())}}
    try:
        return _STEP.validate_python(data), {}
    except PydanticError as exc:
        return None, validation.by_field(exc.errors(), skip=rules.STEPS)
