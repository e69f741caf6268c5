"""Console users and the login throttle's shared counters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ivr.persistence import Base, UTCDateTime


class User(Base):
    """A person who logs in to the console: a role within one organisation (a directory unit code).

    The organisation is a code, never a key to `units` (the directory is replaced whole). `session_version`
    changes when the password is reset or the user is disabled, which ends every session already open.
    """

    __tablename__ = "console_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(200), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    organisation_code: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(200))
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class RateLimitCounter(Base):
    """One fixed-window counter of the login throttle, shared by every web process through the database."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[float] = mapped_column(Float)
