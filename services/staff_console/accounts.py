"""Staff accounts: argon2id password hashes, lockout after repeated failures, and server-side sessions
that end when idle (the browser holds only a random token; the database only its hash)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.staff_console.models import ROLES, StaffAccount, StaffSession

HASHER = PasswordHasher()  # argon2id, memory-hard (64 MiB, 3 passes by default)
_DUMMY_HASH = HASHER.hash("not a password of anyone")
MIN_PASSWORD_CHARS = 12


@dataclass(frozen=True)
class LoginResult:
    """The account the credentials opened, or None; `locked` when the account is (now) locked."""

    account: StaffAccount | None
    locked: bool = False


@dataclass(frozen=True)
class Policy:
    """How many failures lock an account, for how long, and when sessions end."""

    max_failures: int
    lockout: timedelta
    idle: timedelta
    max_age: timedelta


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_account(*, db: Session, username: str, clinic_slug: str, role: str, password: str | None,
                   oidc_subject: str | None = None) -> StaffAccount:
    """Add a staff member of one clinic; ValueError for an unknown role or a short password."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if password is not None and len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_CHARS} characters")
    account = StaffAccount(public_id=f"stf_{secrets.token_hex(8)}", username=username.strip().lower(),
                           clinic_slug=clinic_slug, role=role, oidc_subject=oidc_subject,
                           password_hash=HASHER.hash(password) if password is not None else None)
    db.add(account)
    db.flush()
    return account


def authenticate(*, db: Session, username: str, password: str, now: datetime, policy: Policy) -> LoginResult:
    """The account these credentials open, if any; a failure is counted (so the caller commits it), and a
    locked account checks no password."""
    account = db.scalars(select(StaffAccount).where(StaffAccount.username == username.strip().lower())
                         .with_for_update()).first()
    if account is None or not account.active or account.password_hash is None:
        _verify(_DUMMY_HASH, password)  # the same work as for a real account: no timing hint that it exists
        return LoginResult(None)
    if account.locked_until is not None and account.locked_until > now:
        return LoginResult(None, locked=True)
    if not _verify(account.password_hash, password):
        account.failed_logins += 1
        if account.failed_logins >= policy.max_failures:
            account.locked_until, account.failed_logins = now + policy.lockout, 0
        return LoginResult(None, locked=account.locked_until is not None and account.locked_until > now)
    account.failed_logins, account.locked_until = 0, None
    if HASHER.check_needs_rehash(account.password_hash):
        account.password_hash = HASHER.hash(password)
    return LoginResult(account)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def start_session(*, db: Session, account: StaffAccount, now: datetime) -> tuple[str, StaffSession]:
    """A new session for the account: (the token for the cookie, the stored session)."""
    token = secrets.token_urlsafe(32)
    session = StaffSession(token_hash=_token_hash(token), account_id=account.id, csrf_token=secrets.token_urlsafe(32),
                           created_at=now, last_seen_at=now)
    db.add(session)
    return token, session


def resume_session(*, db: Session, token: str, now: datetime,
                   policy: Policy) -> tuple[StaffSession, StaffAccount] | None:
    """The live session a cookie names, touched; None (and the session deleted) when idle or too old."""
    session = db.get(StaffSession, _token_hash(token))
    if session is None:
        return None
    account = db.get(StaffAccount, session.account_id)
    if (account is None or not account.active or now - session.last_seen_at > policy.idle
            or now - session.created_at > policy.max_age):
        db.delete(session)
        return None
    session.last_seen_at = now
    return session, account


def end_session(*, db: Session, token: str) -> None:
    """Log out: the session is gone for good."""
    db.execute(delete(StaffSession).where(StaffSession.token_hash == _token_hash(token)))


def account_by_subject(*, db: Session, subject: str) -> StaffAccount | None:
    """The active account an OIDC subject (or e-mail) is mapped to."""
    account = db.scalars(select(StaffAccount).where(StaffAccount.oidc_subject == subject)).first()
    return account if account is not None and account.active else None


def clinic_accounts(*, db: Session, clinic_slug: str) -> list[StaffAccount]:
    """A clinic's staff accounts, by username."""
    return list(db.scalars(select(StaffAccount).where(StaffAccount.clinic_slug == clinic_slug)
                           .order_by(StaffAccount.username)))


def unlock(*, db: Session, account_id: int, clinic_slug: str) -> bool:
    """Lift a lockout on one of the clinic's accounts; False when it is not the clinic's."""
    account = db.get(StaffAccount, account_id)
    if account is None or account.clinic_slug != clinic_slug:
        return False
    account.locked_until, account.failed_logins = None, 0
    return True
