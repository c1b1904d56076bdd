"""Browser-session secrets and the same-origin rule of the UI.

The cookie carries a random 256-bit id; the database keeps only its SHA-256, which is enough
for an unguessable id (no server key needed: nothing to brute-force offline). The CSRF token is
a second random value kept with the session (or, before log-in, in its own cookie that the
form must repeat).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

SESSION_COOKIE = "pc_session"
CSRF_COOKIE = "pc_csrf"
# With https the ``__Host-`` prefix makes the browser insist on Secure, Path=/ and no Domain,
# so a sibling subdomain cannot plant or overwrite the cookie.
SECURE_PREFIX = "__Host-"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def session_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8", "surrogatepass")).hexdigest()


def same_token(given: str | None, expected: str | None) -> bool:
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8", "ignore"), expected.encode("utf-8", "ignore"))


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL, lower-cased, default ports dropped."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    if port is None or (scheme, port) in (("http", 80), ("https", 443)):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def same_origin(origin: str | None, fetch_site: str | None, expected: str) -> bool:
    """Whether a state-changing request comes from our own pages.

    ``Origin`` decides when present (every current browser sends it on a POST); without it,
    ``Sec-Fetch-Site: same-origin`` is accepted. Neither header: refused, since a page that
    strips both is not one of ours.
    """
    if origin is not None and origin != "null":
        try:
            return origin_of(origin) == expected
        except ValueError:
            return False
    return fetch_site == "same-origin"
