"""Signing up, logging in and out, changing a password, making API keys: the rules around
credentials."""

from __future__ import annotations

from promptcrafter import emails
from promptcrafter.clock import now_ms
from promptcrafter.errors import (
    BAD_CREDENTIALS,
    KEY_NOT_FOR_ACCOUNT,
    LOGIN_AGAIN,
    Forbidden,
    Unauthorized,
)
from promptcrafter.security import apikeys as keyformat
from promptcrafter.security.tokens import Claims, IssuedToken
from promptcrafter.services import Services
from promptcrafter.store import apikeys, users
from promptcrafter.store.database import Row, UniqueViolation
from promptcrafter.store.users import Credentials, User, email_key

WRONG_CURRENT_PASSWORD = "The current password is incorrect."


async def signup(
    services: Services, name: str, email: str, password: str, client_ip: str
) -> tuple[User, IssuedToken]:
    if services.limiter is not None:
        await services.limiter.signup_attempt(client_ip)
    password_hash = await services.passwords.hash(password)
    user = await users.create(services.db, name, email, password_hash)
    return user, services.tokens.issue(user.id, generation=0)


async def login(services: Services, email: str, password: str, client_ip: str) -> IssuedToken:
    found = await check_login(services, email, password, client_ip)
    return services.tokens.issue(found.user_id, found.generation)


async def check_login(services: Services, email: str, password: str, client_ip: str) -> Credentials:
    """The account behind an email and password, under the brute-force limits (429) that the
    API's and the browser's log-in share; 401 when they do not match."""
    email = emails.as_looked_up(email)
    limiter, key = services.limiter, email_key(email)
    if limiter is not None:
        await limiter.login_attempt(client_ip)
        await limiter.account_attempt(key)  # before hashing: a locked account costs nothing
    found = await users.credentials(services.db, email)
    verdict = await services.passwords.verify(found.password_hash if found else None, password)
    if found is None or not verdict.ok:
        raise Unauthorized(BAD_CREDENTIALS)  # the attempt counted above stays as a failure
    if limiter is not None:
        await limiter.successful_login(key)
    if verdict.new_hash is not None:
        await users.replace_hash(services.db, found.user_id, found.password_hash, verdict.new_hash)
    return found


async def logout(services: Services, claims: Claims | None) -> None:
    if claims is None:  # check_key_rules refuses keys here already
        raise Forbidden(KEY_NOT_FOR_ACCOUNT)
    await users.revoke_token(services.db, claims)


async def change_password(services: Services, user: User, current: str, new: str) -> None:
    found = await _check_password(services, user, current)
    new_hash = await services.passwords.hash(new)
    if not await users.change_password(services.db, user.id, found.password_hash, new_hash):
        raise Forbidden(WRONG_CURRENT_PASSWORD)


async def delete_account(services: Services, user: User, password: str) -> None:
    """Remove the user and, by cascade, every prompt and log they own."""
    await _check_password(services, user, password)
    await users.delete(services.db, user.id)


async def _check_password(services: Services, user: User, password: str) -> Credentials:
    """The signed-in user's password, checked again. A wrong one counts against the account
    as a failed login does, so a stolen token cannot be used to guess the password (nor to
    make the server compute a hash per guess) past the account's limit (429)."""
    limiter, key = services.limiter, email_key(user.email)
    if limiter is not None:
        await limiter.account_attempt(key)  # before hashing, as for a login
    found = await users.credentials_by_id(services.db, user.id)
    verdict = await services.passwords.verify(found.password_hash if found else None, password)
    if found is None or not verdict.ok:
        raise Forbidden(WRONG_CURRENT_PASSWORD)
    if limiter is not None:
        # The attempt counted above was no failure; the owner has shown the password, as a
        # log-in does, so the account's count starts again.
        await limiter.successful_login(key)
    return found


FRESH_LOGIN_SECONDS = 600


async def create_api_key(
    services: Services,
    owner_id: str,
    logged_in_at_ms: int,
    name: str,
    scope: str,
    expires_in_days: int | None,
) -> tuple[Row, str]:
    """A new key for an owner who logged in during the last 10 minutes (a login token's
    issue time, or a browser session's start): a stolen, older token or session cannot mint a
    credential that outlives it. Returns the row and the key."""
    if logged_in_at_ms < now_ms() - FRESH_LOGIN_SECONDS * 1000:
        raise Forbidden(LOGIN_AGAIN)
    expires_at = None
    if expires_in_days is not None:
        expires_at = now_ms() + expires_in_days * 86_400_000
    for attempt in range(3):
        new = keyformat.generate()
        try:
            row = await apikeys.create(services.db, owner_id, name, scope, new, expires_at)
        except UniqueViolation:  # two keys drew one lookup id (1 in 2^40): draw again
            if attempt == 2:
                raise
            continue
        return row, new.key
    raise AssertionError("unreachable")
