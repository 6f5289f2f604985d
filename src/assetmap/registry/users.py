"""Curator accounts: create, verify a password, change role or deactivate (all audited).

Passwords are hashed with werkzeug's scrypt (``generate_password_hash(method="scrypt")``); the
hash string names its method and parameters, so stronger settings later still verify old hashes.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import RegistryError
from .audit import write_audit
from .models import ROLES, User, utcnow
from .passwords import MAX_PASSWORD, MIN_PASSWORD, check_password  # noqa: F401  (part of this module's API)

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.\-]{1,63}$")
# A constant hash to check against when the user does not exist, so the time taken does not tell.
_DUMMY = generate_password_hash("not a real password", method="scrypt")
MAX_FAILURES = 5  # failed passwords in a row before the account is locked …
LOCK_SECONDS = 15 * 60  # … for this long (whoever tries, from whichever worker or server)


def check_username(username: str) -> str:
    name = (username or "").strip().lower()
    if not _USERNAME.match(name):
        raise RegistryError(f"username {username!r} must be 2–64 lower-case letters, digits, '.', '-' or '_', "
                            f"starting with a letter or digit")
    return name


def _role(role: str) -> str:
    if role not in ROLES:
        raise RegistryError(f"role {role!r} is not one of {', '.join(ROLES)}")
    return role


def get_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == (username or "").strip().lower()))


def create_user(session: Session, username: str, password: str, role: str = "moderator", who: str = "cli") -> User:
    name = check_username(username)
    check_password(password, name)
    _role(role)
    if get_user(session, name) is not None:
        raise RegistryError(f"there is already a user called {name!r}; choose another name, or change that "
                            f"user's role or password")
    user = User(username=name, password_hash=generate_password_hash(password, method="scrypt"), role=role, active=True)
    session.add(user)
    session.flush()
    write_audit(session, who, "create_user", "user", user.id, None, {"username": name, "role": role, "active": True})
    return user


def verify_user(session: Session, username: str, password: str, record_login: bool = True) -> User | None:
    """The active user with this username and password, or None (unknown, inactive or wrong password)."""
    user = get_user(session, username)
    if user is None:
        check_password_hash(_DUMMY, password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.active:
        return None
    if record_login:
        user.last_login_at = utcnow()
    return user


def _aware(at: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes for timezone-aware columns; they were stored in UTC."""
    return at if at is None or at.tzinfo else at.replace(tzinfo=UTC)


def attempt_login(session: Session, username: str, password: str, now: datetime | None = None,
                  max_failures: int = MAX_FAILURES, lock_seconds: int = LOCK_SECONDS) -> User | None:
    """:func:`verify_user` with a per-account throttle kept in the database: after ``max_failures``
    wrong passwords in a row the account accepts none, not even the right one, for ``lock_seconds``.
    The caller commits, whatever the outcome (failures must be counted)."""
    now = now or utcnow()
    user = get_user(session, username)
    if user is None or (_aware(user.locked_until) or now) > now:
        check_password_hash(_DUMMY, password or "")  # the same time as a real check
        return None
    if user.active and check_password_hash(user.password_hash, password or ""):
        user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
        return user
    failures = session.execute(update(User).where(User.id == user.id)
                               .values(failed_logins=User.failed_logins + 1).returning(User.failed_logins)
                               .execution_options(synchronize_session=False)).scalar_one()
    if failures >= max_failures:
        session.execute(update(User).where(User.id == user.id)
                        .values(failed_logins=0, locked_until=now + timedelta(seconds=lock_seconds))
                        .execution_options(synchronize_session=False))
    session.expire(user)
    return None


def end_sessions(session: Session, user: User) -> None:
    """End every session of ``user`` (each carries the version it began with: a new one matches none)."""
    session.execute(update(User).where(User.id == user.id).values(session_version=User.session_version + 1)
                    .execution_options(synchronize_session=False))
    session.expire(user)


def _existing(session: Session, username: str) -> User:
    user = get_user(session, username)
    if user is None:
        raise RegistryError(f"no user called {username!r}; create it with `assetmap db create-admin` or create_user")
    return user


def _change(session: Session, username: str, who: str, name: str, value) -> User:
    """Set the user's ``role`` or ``active`` (audited), refusing a change that would leave the
    registry with no active administrator (no one could then manage accounts from the web)."""
    user = _existing(session, username)
    if getattr(user, name) == value:
        return user
    stays_admin = {"role": user.role, "active": user.active, name: value} == {"role": "admin", "active": True}
    if user.role == "admin" and user.active and not stays_admin and not session.scalar(
            select(func.count()).select_from(User).where(User.role == "admin", User.active.is_(True),
                                                           User.id != user.id)):
        raise RegistryError(f"{user.username} is the only active administrator; make another account an "
                            "administrator first (or create one with `assetmap db create-admin`)")
    write_audit(session, who, f"set_{name}", "user", user.id, {name: getattr(user, name)}, {name: value})
    setattr(user, name, value)
    session.flush()
    end_sessions(session, user)  # a changed role or (de)activation ends every session the user had
    return user


def set_role(session: Session, username: str, role: str, who: str) -> User:
    return _change(session, username, who, "role", _role(role))


def set_active(session: Session, username: str, active: bool, who: str) -> User:
    return _change(session, username, who, "active", active)


def set_password(session: Session, username: str, password: str, who: str) -> User:
    user = _existing(session, username)
    user.password_hash = generate_password_hash(check_password(password, user.username), method="scrypt")
    write_audit(session, who, "set_password", "user", user.id, None, {"password": "changed"})
    session.flush()
    end_sessions(session, user)
    return user


def list_users(session: Session) -> list[User]:
    """Every curator account, active ones first, by name."""
    return list(session.scalars(select(User).order_by(User.active.desc(), User.username)))
