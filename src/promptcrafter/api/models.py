"""Request and response shapes. Requests are strict: no coercion, no unknown fields."""

from __future__ import annotations

from typing import Annotated, Literal

from email_validator import EmailNotValidError, validate_email
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


def _clean_text(value: str) -> str:
    """A required string: storable, and not empty or white space only."""
    if not value.strip():
        raise PydanticCustomError("blank", "must not be empty or white space only")
    return _storable(value)


def _email(value: str) -> str:
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        raise PydanticCustomError("email", "must be a valid email address") from None


def _password(value: str) -> str:
    if not MIN_PASSWORD <= len(value) <= MAX_PASSWORD:
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
Score = Annotated[float, Field(ge=0, le=10, allow_inf_nan=False)]
Email = Annotated[str, StringConstraints(max_length=320), AfterValidator(_email)]
Password = Annotated[str, AfterValidator(_password)]
AnyPassword = Annotated[str, StringConstraints(max_length=1024), AfterValidator(_storable)]
LoginEmail = Annotated[
    str, StringConstraints(min_length=1, max_length=320), AfterValidator(_storable)
]
PromptIdField = Annotated[str, StringConstraints(pattern=r"^prompt[0-9a-z]{1,64}$")]


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


class PromptPatch(Strict):
    # Absent means "keep"; null is refused (below), so the schema does not offer it.
    title: Title | SkipJsonSchema[None] = None
    content: Content | SkipJsonSchema[None] = None
    model: ModelName | SkipJsonSchema[None] = None
    tags: Tags | SkipJsonSchema[None] = None

    @model_validator(mode="before")
    @classmethod
    def _no_nulls_and_not_empty(cls, data: object) -> object:
        if isinstance(data, dict):
            if not data:
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

    @model_validator(mode="after")
    def _one_model_name(self) -> LogIn:
        if (self.modelUsed is None) == (self.model is None):
            raise PydanticCustomError("model_used", "give exactly one of modelUsed or model")
        return self

    @property
    def model_used(self) -> str:
        return self.modelUsed or self.model or ""


# ---- responses (documentation; handlers encode rows directly) ------------------------


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


class LogOut(BaseModel):
    id: str = Field(alias="_id")
    promptId: str
    output: str
    modelUsed: str
    notes: str | None
    score: float | None
    createdAt: str


class HealthOut(BaseModel):
    status: str
