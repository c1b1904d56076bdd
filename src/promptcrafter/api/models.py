"""What requests may send. Requests are strict: no coercion, no unknown fields. (What the API
answers is in response_models.py.)"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from promptcrafter import emails

MIN_PASSWORD, MAX_PASSWORD = 10, 128


def _storable(value: str) -> str:
    """Reject what no engine should store: NUL and lone surrogates."""
    if "\x00" in value:
        raise PydanticCustomError("nul_character", "must not contain U+0000")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError("lone_surrogate", "must be valid Unicode text") from None
    return value


# Deeper JSON values are refused: orjson writes at most 254 levels, Python's recursion stops
# near 1,000, and no template variable needs more than a few.
MAX_NESTING = 64


def _storable_json(value: Any) -> Any:
    """Every string inside a JSON value, keys included, passes ``_storable``, and it is nested
    at most ``MAX_NESTING`` levels. Walked with a stack, not by recursion."""
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            _storable(item)
        elif isinstance(item, dict | list):
            if depth >= MAX_NESTING:
                raise PydanticCustomError(
                    "too_deep", f"must not be nested more than {MAX_NESTING} levels deep"
                )
            if isinstance(item, dict):
                for key in item:
                    _storable(key)
                pending.extend((child, depth + 1) for child in item.values())
            else:
                pending.extend((child, depth + 1) for child in item)
    return value


def _clean_text(value: str) -> str:
    """A required string: storable, and not empty or white space only."""
    if not value.strip():
        raise PydanticCustomError("blank", "must not be empty or white space only")
    return _storable(value)


def _email(value: str) -> str:
    try:
        return emails.normalized(value)
    except ValueError:
        raise PydanticCustomError("email", "must be a valid email address") from None


def _password(value: str) -> str:
    # White space alone is no password, whatever its length (a required string, per SPEC).
    if not MIN_PASSWORD <= len(value) <= MAX_PASSWORD or not value.strip():
        raise PydanticCustomError(
            "password_policy",
            f"must be {MIN_PASSWORD} to {MAX_PASSWORD} characters long",
        )
    return _storable(value)


def _text(min_length: int, max_length: int) -> tuple[StringConstraints, AfterValidator]:
    return (
        StringConstraints(min_length=min_length, max_length=max_length),
        AfterValidator(_clean_text),
    )


_title, _content, _model, _tag, _output, _name = (
    _text(3, 100),
    _text(1, 200_000),
    _text(1, 100),
    _text(1, 50),
    _text(1, 500_000),
    _text(1, 100),
)
Title = Annotated[str, _title[0], _title[1]]
Content = Annotated[str, _content[0], _content[1]]
ModelName = Annotated[str, _model[0], _model[1]]
Tag = Annotated[str, _tag[0], _tag[1]]
Tags = Annotated[list[Tag], Field(max_length=50)]
Output = Annotated[str, _output[0], _output[1]]
Name = Annotated[str, _name[0], _name[1]]
# Optional free text may be empty or blank, but must still be storable.
Notes = Annotated[str, StringConstraints(max_length=5000), AfterValidator(_storable)]
# -0.0 passes ge=0; adding 0.0 makes it 0.0, which PostgreSQL would otherwise keep signed
# (and /stats then answer -0.0 where SQLite answers 0.0).
Score = Annotated[
    float, Field(ge=0, le=10, allow_inf_nan=False), AfterValidator(lambda value: value + 0.0)
]
Email = Annotated[str, StringConstraints(max_length=320), AfterValidator(_email)]
# The length is checked by _password (for its own sentence) and shown in the schema.
Password = Annotated[
    str,
    AfterValidator(_password),
    Field(json_schema_extra={"minLength": MIN_PASSWORD, "maxLength": MAX_PASSWORD}),
]
# What a login or a confirmation sends: any length (the policy is for new passwords), but a
# required string, so empty or white space alone is a 400 and costs no hash check.
AnyPassword = Annotated[str, StringConstraints(max_length=1024), AfterValidator(_clean_text)]
LoginEmail = Annotated[
    str, StringConstraints(min_length=1, max_length=320), AfterValidator(_clean_text)
]
PromptIdField = Annotated[str, StringConstraints(pattern=r"^prompt[0-9a-z]{1,64}$")]
_commit = _text(1, 500)
CommitMessage = Annotated[
    str,
    _commit[0],
    _commit[1],
    Field(description="Why this version was made (1-500 characters), kept with it."),
]
VersionNumber = Annotated[int, Field(ge=1, description="A version number (1, 2, ...).")]
# Far below the 32-bit column limit, so a history started there still has room to grow.
FirstVersion = Annotated[int, Field(ge=1, le=1_000_000_000)]
LABEL_PATTERN = r"^[a-z][a-z0-9._-]{0,35}$"
LabelName = Annotated[
    str,
    StringConstraints(pattern=LABEL_PATTERN),
    Field(description="A label name; `latest` means the current version."),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class SignupIn(Strict):
    name: Name
    email: Email
    password: Password


class LoginIn(Strict):
    email: LoginEmail
    password: AnyPassword


class PasswordChangeIn(Strict):
    currentPassword: AnyPassword
    newPassword: Password


class AccountDeleteIn(Strict):
    password: AnyPassword


class ApiKeyIn(Strict):
    name: Name
    scope: Literal["read", "write"] = "write"
    expiresInDays: Annotated[int, Field(ge=1, le=3650)] | None = None


class PromptIn(Strict):
    title: Title
    content: Content
    model: ModelName
    tags: Tags | None = None
    commitMessage: CommitMessage | None = None
    version: FirstVersion | None = Field(
        default=None,
        description="The number of the first version (default 1): an import of a history "
        "that began later keeps its numbers.",
    )


class PromptPatch(Strict):
    # Absent means "keep"; null is refused (below), so the schema does not offer it.
    title: Title | SkipJsonSchema[None] = None
    content: Content | SkipJsonSchema[None] = None
    model: ModelName | SkipJsonSchema[None] = None
    tags: Tags | SkipJsonSchema[None] = None
    commitMessage: CommitMessage | SkipJsonSchema[None] = None

    @model_validator(mode="before")
    @classmethod
    def _no_nulls_and_not_empty(cls, data: object) -> object:
        if isinstance(data, dict):
            if not set(data) - {"commitMessage"}:
                raise PydanticCustomError("empty_patch", "give at least one field to change")
            if any(value is None for value in data.values()):
                raise PydanticCustomError("null_field", "fields cannot be set to null")
        return data


class LogIn(Strict):
    promptId: PromptIdField
    output: Output
    modelUsed: ModelName | None = None
    model: ModelName | None = Field(
        default=None, description="Alias of modelUsed (the public OpenAPI file's name)."
    )
    notes: Notes | None = None
    score: Score | None = None
    promptVersion: VersionNumber | None = Field(
        default=None, description="The version the output came from (default: the current one)."
    )
    label: LabelName | None = Field(
        default=None, description="Or: the label whose version the output came from."
    )

    @model_validator(mode="after")
    def _one_model_name(self) -> LogIn:
        if (self.modelUsed is None) == (self.model is None):
            raise PydanticCustomError("model_used", "give exactly one of modelUsed or model")
        if self.promptVersion is not None and self.label is not None:
            raise PydanticCustomError("version_or_label", "give promptVersion or label, not both")
        return self

    @property
    def model_used(self) -> str:
        return self.modelUsed or self.model or ""


class RestoreIn(Strict):
    commitMessage: CommitMessage | None = None


class LabelIn(Strict):
    version: VersionNumber

    model_config = ConfigDict(json_schema_extra={"examples": [{"version": 3}]})


class RenderIn(Strict):
    # The same text rules as everything stored: no U+0000 anywhere, nested values included.
    variables: Annotated[dict[str, Any], AfterValidator(_storable_json)] = Field(
        default_factory=dict,
        description="Values by name: strings verbatim, other JSON values as compact JSON, "
        "null as an empty string.",
    )
    version: VersionNumber | None = None
    label: LabelName | None = None
    strict: bool = Field(
        default=True, description="Refuse (400) when a variable is missing; else leave it."
    )

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"variables": {"product": "Acme"}, "label": "prod"}]}
    )

    @model_validator(mode="after")
    def _version_or_label(self) -> RenderIn:
        if self.version is not None and self.label is not None:
            raise PydanticCustomError("version_or_label", "give version or label, not both")
        return self
