"""One SQLAlchemy session per request, opened on first use and closed when the app context ends."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from ivr.snapshot import read_version_once
from ivr.web.deadline import check_deadline

ENGINE = "ivr.engine"
SESSIONMAKER = "ivr.sessionmaker"


def init_session(app: Flask, engine: Engine) -> None:
    """Attach the engine and a session factory to the app; close the request's session afterwards."""
    app.extensions[ENGINE] = engine
    factory = sessionmaker(engine, expire_on_commit=False)
    # A request that overran its budget has been answered already (the apology): it must not commit after all.
    event.listen(factory, "before_commit", lambda _session: check_deadline())
    app.extensions[SESSIONMAKER] = factory
    app.teardown_appcontext(_close_session)


def get_session() -> Session:
    """The request's session, opened on first use."""
    if "db_session" not in g:
        g.db_session = read_version_once(session_factory(current_app)())
    session: Session = g.db_session
    return session


def commit_request() -> None:
    """Commit what the request's session holds, if anything (a webhook's one unit of work, at its end)."""
    session: Session | None = g.get("db_session")
    if session is not None and session.in_transaction():
        session.commit()


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
