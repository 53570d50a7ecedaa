"""`{% schema_form schema data errors prefix="f-" %}`: an application form from its schema.

`live=True` (the applicant's page) hides fields whose `show_if` condition is not met and lets
workbench-schema-form.js show them as the applicant answers; the builder's preview shows every
field with its condition written out.
"""

from __future__ import annotations

from django import template

from yiwang.workbench.schema_forms import bind_schema

register = template.Library()


@register.inclusion_tag("includes/schema_form.html")
def schema_form(schema, data=None, errors=None, prefix="", live=False, id_prefix="sf-"):
    fields = bind_schema(
        schema, data or {}, errors or {}, prefix=prefix, id_prefix=id_prefix, apply_visibility=bool(live)
    )
    return {
        "fields": fields,
        "live": bool(live),
        "has_required": any(
            f.required or any(c.required for r in f.rows for c in r["cells"]) for f in fields
        ),
    }
