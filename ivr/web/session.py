"""One SQLAlchemy session per request, opened on first use and closed when the app context ends."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

ENGINE = "ivr.engine"
SESSIONMAKER = "ivr.sessionmaker"


def init_session(app: Flask, engine: Engine) -> None:
    """Attach the engine and a session factory to the app; close the request's session afterwards."""
    app.extensions[ENGINE] = engine
    app.extensions[SESSIONMAKER] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def get_session() -> Session:
    """The request's session, opened on first use."""
    if "db_session" not in g:
        g.db_session = session_factory(current_app)()
    session: Session = g.db_session
    return session


def engine_of(app: Flask) -> Engine:
    """The app's engine."""
    engine: Engine = app.extensions[ENGINE]
    return engine


def session_factory(app: Flask) -> sessionmaker[Session]:
    """The app's session factory (for work outside a request, such as the SMS worker)."""
    factory: sessionmaker[Session] = app.extensions[SESSIONMAKER]
    return factory


def _close_session(_exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.close()
