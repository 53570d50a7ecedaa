"""A bundle's definition (一件事一次办, 一链通办) as one typed document, and what an entry is as the
bundle rules see it: pure data, no database.

It is one document, versioned and reviewed like a guide:

- **questions** the applicant answers (yes/no, a choice, a number), each perhaps asked only when
  earlier answers say so;
- **members**: published catalog entries, each selected when its conditions hold, with the
  situation it applies under, and the members it waits for (`after`: registration → food permit);
- **fields**: the one combined form, and **map**: per member, which combined field (or which value
  of the upstream licence, `licence.<name>`) fills each of its form's fields. Fields with the same
  name map to each other unless the map says otherwise;
- **same_materials**: groups of material names that are one document (经营者身份证 = 申请人身份证).

What an entry is (its forms, materials, limits, the licence it issues) comes in as `EntryFacts`,
read by `bundles.queries`. `rules` computes from both (selection, merged materials, the one form,
the critical path, the savings); `checks` names what keeps a definition from being published.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

MAX_JOINT_EXTENSION = 15  # 联合审批: up to 15 more working days where the law allows
LICENCE_SOURCE = "licence."  # a map source naming a value of the upstream licence
LICENCE_ATTRIBUTES = {"holder_name", "number", "identifier"}  # besides the licence's data fields
Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class _Strict(BaseModel):
    # No infinity or NaN: a definition is stored as JSON, which has neither.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Condition(_Strict):
    """One test of an answer; a list of conditions holds when all do."""

    question: Code
    equals: str | None = None  # a yes/no or choice answer
    above: float | None = None  # a number strictly above
    at_most: float | None = None  # a number at most


class Option(_Strict):
    value: Code
    label: Text


class Question(_Strict):
    code: Code
    text: Text
    kind: Literal["yes_no", "choice", "number"]
    options: tuple[Option, ...] = ()
    help: str = ""
    unit: str = ""
    ask_if: tuple[Condition, ...] = ()


class SituationRule(_Strict):
    seq: int = Field(ge=1, le=999)
    when: tuple[Condition, ...] = ()


class Member(_Strict):
    entry: Annotated[str, StringConstraints(pattern=r"^[0-9A-Z]{31}$")]
    when: tuple[Condition, ...] = ()
    situations: tuple[SituationRule, ...] = ()  # the first whose conditions hold
    after: tuple[str, ...] = ()
    note: str = ""


class Definition(_Strict):
    questions: tuple[Question, ...] = ()
    members: tuple[Member, ...] = Field(min_length=1, max_length=30)
    fields: tuple[dict[str, Any], ...] = ()
    map: dict[str, dict[str, str]] = Field(default_factory=dict)
    same_materials: tuple[tuple[str, ...], ...] = ()
    joint_extension: int = Field(default=0, ge=0, le=MAX_JOINT_EXTENSION)


YES_NO = (Option(value="yes", label="是"), Option(value="no", label="否"))


def options_of(question: Question) -> tuple[Option, ...]:
    return YES_NO if question.kind == "yes_no" else question.options


# --- What an entry is --------------------------------------------------------------------------


@dataclass(frozen=True)
class MaterialFacts:
    id: int
    name: str
    situation_seq: int | None  # None: every situation
    required: bool  # blocks submission when missing
    licence_type: str  # the licence type (code or name) that can provide it, or ""


@dataclass(frozen=True)
class EntryFacts:
    code: str
    name: str
    department: str
    published: bool  # active with a published guide
    audience: str
    fields: dict[int | None, tuple[dict[str, Any], ...]]  # the form per situation seq (None: none)
    situations: dict[int, str]  # seq -> name
    materials: tuple[MaterialFacts, ...]
    limit: int  # working days to decide (0: on the spot)
    limit_unit: str
    visits: int
    fees: tuple[str, ...] = ()
    conditions: str = ""
    issues: str = ""  # the licence type (code) its approval issues
    issues_name: str = ""
    licence_fields: tuple[str, ...] = ()  # the data fields of that licence
    department_open: bool = True
