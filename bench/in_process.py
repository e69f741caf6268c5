"""The service in this process, for the benches that drive it through Flask's test client: a migrated database
holding the bundled directory, an auth token of the run's own to sign with, no Twilio account."""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import Flask
from sqlalchemy.orm import Session

from directory.loader import load_directory_file
from ivr.app import create_app
from ivr.clock import Clock, SystemClock
from ivr.config import BUNDLED_DIRECTORY, Config
from ivr.migrate import upgrade
from ivr.persistence import make_engine

TOKEN = secrets.token_hex(16)  # signs the bench's own requests
BASE = "https://ivr.example.se"


def in_process_service(database_url: str, instance: Path, *, clock: Clock | None = None) -> Flask:
    """Migrate the (empty) database, load the bundled directory, and build the service on it."""
    engine = make_engine(database_url)
    upgrade(engine)
    with Session(engine) as session:
        load_directory_file(session=session, path=BUNDLED_DIRECTORY)
        session.commit()
    engine.dispose()
    config = Config(
        instance_path=instance,
        database_url=database_url,
        twilio_account_sid=None,
        twilio_auth_token=TOKEN,
        auth_token_is_development=False,
        twilio_sms_from=None,
        twilio_messaging_service_sid=None,
        twilio_api_base_url=None,
        public_url=None,
        directory_path=BUNDLED_DIRECTORY,
        timezone=Config.from_env({}, instance_path=instance).timezone,
    )
    return create_app(config, clock=clock or SystemClock())
