"""Email addresses in the one form that signup stores and login looks up.

An address can be typed in several ways that name the same mailbox: composed or decomposed
accents, a domain in Unicode or in its ``xn--`` form. Signup stores email_validator's
normalized form; login must look up the same form, or the second spelling would be "in use"
at signup and "incorrect" at login.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email


def normalized(address: str) -> str:
    """The address as stored; ValueError when it is not a valid address."""
    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from None


def as_looked_up(address: str) -> str:
    """What a login looks up: the stored form of what was typed (surrounding white space
    ignored), or the text itself when it is no valid address (it then matches no account)."""
    try:
        return normalized(address.strip())
    except ValueError:
        return address
