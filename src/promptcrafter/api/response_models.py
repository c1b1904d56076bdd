"""What the API answers, as the OpenAPI document shows it. These models are documentation:
handlers (and the fast path) encode rows directly, so nothing here runs on a request."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ErrorOut(BaseModel):
    error: str


class UserOut(BaseModel):
    id: str = Field(alias="_id")
    name: str
    email: str
    createdAt: str


class SignupOut(BaseModel):
    message: str
    token: str
    user: UserOut


class LoginOut(BaseModel):
    token: str
    tokenType: str
    expiresAt: str


class ApiKeyOut(BaseModel):
    id: str = Field(alias="_id")
    name: str
    scope: Literal["read", "write"]
    prefix: str = Field(description="The key's first 11 characters, to recognise it by")
    createdAt: str
    expiresAt: str | None = Field(description="null: the key never expires")
    lastUsedAt: str | None = Field(description="Updated at most once a minute")


class ApiKeyCreatedOut(ApiKeyOut):
    key: str = Field(description="The key itself; shown in this answer only")


class PromptOut(BaseModel):
    id: str = Field(alias="_id")
    ownerId: str
    title: str
    content: str
    model: str
    tags: list[str]
    createdAt: str
    updatedAt: str
    version: int = Field(description="The current version's number; the ETag is its quoted form.")
    labels: dict[str, int] = Field(description="Label name to version number.")
    variables: list[str] = Field(description="Template variables, in order of first appearance.")


class LogOut(BaseModel):
    id: str = Field(alias="_id")
    promptId: str
    output: str
    modelUsed: str
    notes: str | None
    score: float | None
    createdAt: str
    promptVersion: int | None = Field(description="null only for logs older than versions.")
    label: str | None = Field(description="The label sent with the log, if any.")
    model: str = Field(description="The same as modelUsed.")


class VersionOut(BaseModel):
    promptId: str
    version: int
    title: str
    content: str
    model: str
    tags: list[str]
    variables: list[str]
    commitMessage: str | None
    labels: list[str] = Field(description="The labels pointing at this version, sorted.")
    createdAt: str


class LabelOut(BaseModel):
    name: str
    version: int
    updatedAt: str

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"name": "prod", "version": 3, "updatedAt": "2024-06-20T13:20:12.000Z"}]
        }
    )


class LabelChangeOut(BaseModel):
    name: str
    version: int | None = Field(description="null when the label was deleted.")
    previousVersion: int | None = Field(description="null when the label was created.")
    by: str = Field(description="The user (or API key) that made the change.")
    at: str


class RenderOut(BaseModel):
    promptId: str
    version: int
    rendered: str
    used: list[str]
    missing: list[str]
    unused: list[str]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "promptId": "prompt01j0abcd",
                    "version": 3,
                    "rendered": "Write a tagline for Acme.",
                    "used": ["product"],
                    "missing": [],
                    "unused": [],
                }
            ]
        }
    )


class HealthOut(BaseModel):
    status: str


class ScoreSummaryOut(BaseModel):
    """The figures of a set of logs; score figures cover the scored ones (null when none,
    ``stddev`` and ``ci95`` null below two)."""

    count: int
    scored: int
    mean: float | None
    median: float | None
    stddev: float | None
    min: float | None
    max: float | None
    ci95: list[float] | None = Field(description="[low, high]: mean ± t(0.975, n−1)·s/√n")
    histogram: list[int] = Field(description="11 counts: bin i holds i ≤ s < i+1, bin 10 holds 10")
    firstAt: str | None
    lastAt: str | None


class StatsGroupOut(ScoreSummaryOut):
    promptVersion: int | None = Field(
        default=None, description="With `version` grouping (null: logs from before versions)"
    )
    modelUsed: str | None = Field(default=None, description="With `model` grouping")


class StatsOut(BaseModel):
    promptId: str
    by: list[str]
    groups: list[StatsGroupOut]
    total: ScoreSummaryOut


class CompareSideOut(BaseModel):
    version: int
    count: int = Field(description="Scored logs")
    mean: float | None
    median: float | None


class CompareOut(BaseModel):
    a: CompareSideOut
    b: CompareSideOut
    difference: float | None = Field(description="mean(b) − mean(a)")
    ci95: list[float] | None = Field(description="Welch's 95% interval for the difference")
    pValue: float | None = Field(description="Two-sided Mann–Whitney U, asymptotic")
    verdict: str = Field(
        description="`not enough data`, `b is better`, `a is better` or `no clear difference`"
    )


class ChangeOut(BaseModel):
    from_: str = Field(alias="from")
    to: str


class AddedRemovedOut(BaseModel):
    added: list[str]
    removed: list[str]


class LineOut(BaseModel):
    op: str = Field(description="`equal`, `insert` or `delete`")
    text: str


class ContentDiffOut(BaseModel):
    changed: bool
    unified: str = Field(description="difflib.unified_diff text, v<from> to v<to>, 3 lines")
    lines: list[LineOut]


class DiffOut(BaseModel):
    promptId: str
    from_: int = Field(alias="from")
    to: int
    title: ChangeOut | None
    model: ChangeOut | None
    tags: AddedRemovedOut
    variables: AddedRemovedOut
    content: ContentDiffOut
