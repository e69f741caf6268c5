"""One typed configuration, read once from the environment."""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_HERE = Path(__file__).resolve().parent
BUNDLED_DIRECTORY = _HERE.parent / "directory" / "data" / "directory.csv"
BUNDLED_LINES = _HERE / "lines" / "data" / "lines.toml"
BUNDLED_LIABILITY_RULES = _HERE / "liability" / "data" / "rules.toml"
BUNDLED_LIABILITY_RATES = _HERE / "liability" / "data" / "rates.toml"
BUNDLED_CLIENTS = _HERE / "visits" / "data" / "clients.csv"
BUNDLED_VISITS = _HERE / "visits" / "data" / "visits.toml"
DEV_TOKEN_FILE = "dev-twilio-auth-token"  # noqa: S105  (a file name, not a secret)
DEFAULT_DB_WAIT = 3.0
DEFAULT_REQUEST_BUDGET = 8.0
DEFAULT_DB_THREADS = 8
DEV_STAFF_SECRET_FILE = "dev-staff-code-secret"  # noqa: S105  (a file name, not a secret)
MIN_STAFF_SECRET = 16
_ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")
_MESSAGING_SID = re.compile(r"^MG[0-9a-fA-F]{32}$")


SECRET_KEY_FILE = "console-secret-key"  # noqa: S105  (a file name, not a secret)
LOGIN_METHODS = ("password", "oidc")
DATABASE_STORAGE = "database"
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


class ConfigError(ValueError):
    """A configuration value is missing or wrong; the message names the variable."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


@dataclass(frozen=True)
class ConsoleSettings:
    """The web console's settings (README "Settings"); the defaults are the embedded password login."""

    secret_key: str | None = None  # IVR_SECRET_KEY; None: a key kept in the instance folder
    cookie_secure: bool = True  # IVR_COOKIE_SECURE
    session_hours: int = 8  # IVR_SESSION_HOURS
    login_rate_limit: str = "5 per 15 minutes"  # IVR_LOGIN_RATE_LIMIT: failed logins per account
    login_address_rate_limit: str = "20 per 15 minutes"  # IVR_LOGIN_ADDRESS_RATE_LIMIT: per address
    rate_limit_storage: str = DATABASE_STORAGE  # IVR_RATE_LIMIT_STORAGE: database, or a `limits` URI
    trusted_proxies: int = 0  # IVR_TRUSTED_PROXIES: proxies whose X-Forwarded-* headers are believed
    login: str = "password"  # IVR_LOGIN: password or oidc
    oidc_metadata_url: str | None = None  # IVR_OIDC_METADATA_URL
    oidc_client_id: str | None = None  # IVR_OIDC_CLIENT_ID
    oidc_client_secret: str | None = None  # IVR_OIDC_CLIENT_SECRET
    oidc_username_claim: str = "preferred_username"  # IVR_OIDC_USERNAME_CLAIM
    oidc_scope: str = "openid profile email"  # IVR_OIDC_SCOPE

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> ConsoleSettings:
        """Read and validate the console's settings; raise ConfigError naming the first bad variable."""
        secret = _get(environ, "IVR_SECRET_KEY")
        if secret is not None and len(secret) < 32:
            raise ConfigError("IVR_SECRET_KEY", "must be at least 32 characters (e.g. `openssl rand -hex 32`)")
        login = _get(environ, "IVR_LOGIN") or "password"
        if login not in LOGIN_METHODS:
            raise ConfigError("IVR_LOGIN", f"must be one of {', '.join(LOGIN_METHODS)}, not {login!r}")
        settings = cls(
            secret_key=secret,
            cookie_secure=_bool(environ, "IVR_COOKIE_SECURE", default=True),
            session_hours=_int(environ, "IVR_SESSION_HOURS", default=8, low=1, high=24),
            login_rate_limit=_rate_limit(environ, "IVR_LOGIN_RATE_LIMIT", "5 per 15 minutes"),
            login_address_rate_limit=_rate_limit(environ, "IVR_LOGIN_ADDRESS_RATE_LIMIT", "20 per 15 minutes"),
            rate_limit_storage=_rate_limit_storage(environ),
            trusted_proxies=_int(environ, "IVR_TRUSTED_PROXIES", default=0, low=0, high=5),
            login=login,
            oidc_metadata_url=_http_url(environ, "IVR_OIDC_METADATA_URL", require_https=True, allow_query=False),
            oidc_client_id=_get(environ, "IVR_OIDC_CLIENT_ID"),
            oidc_client_secret=_get(environ, "IVR_OIDC_CLIENT_SECRET"),
            oidc_username_claim=_get(environ, "IVR_OIDC_USERNAME_CLAIM") or "preferred_username",
            oidc_scope=_get(environ, "IVR_OIDC_SCOPE") or "openid profile email",
        )
        if login == "oidc":
            for name, value in (
                ("IVR_OIDC_METADATA_URL", settings.oidc_metadata_url),
                ("IVR_OIDC_CLIENT_ID", settings.oidc_client_id),
                ("IVR_OIDC_CLIENT_SECRET", settings.oidc_client_secret),
            ):
                if value is None:
                    raise ConfigError(name, "is required when IVR_LOGIN=oidc")
            if "openid" not in settings.oidc_scope.split():
                raise ConfigError("IVR_OIDC_SCOPE", "must include openid")
        return settings


@dataclass(frozen=True)
class Config:
    """Everything the service reads from its environment."""

    instance_path: Path
    database_url: str
    twilio_account_sid: str | None
    twilio_auth_token: str
    auth_token_is_development: bool
    twilio_sms_from: str | None
    twilio_messaging_service_sid: str | None
    twilio_api_base_url: str | None
    public_url: str | None
    directory_path: Path
    timezone: ZoneInfo
    lines_path: Path = BUNDLED_LINES
    liability_rules_path: Path = BUNDLED_LIABILITY_RULES
    liability_rates_path: Path = BUNDLED_LIABILITY_RATES
    # Twilio waits 15 s for a webhook (connect time included), then plays its own English error:
    db_wait_seconds: float = DEFAULT_DB_WAIT  # longest wait for a lock, a connection or the pool
    request_budget_seconds: float = DEFAULT_REQUEST_BUDGET  # after this a webhook answers with the apology
    db_threads: int = DEFAULT_DB_THREADS  # requests served at once per process (each may hold a connection)
    clients_path: Path = BUNDLED_CLIENTS
    visits_path: Path = BUNDLED_VISITS
    # The key that staff codes are hashed with (IVR_STAFF_CODE_SECRET); "" until set, and no code can be checked.
    staff_code_secret: str = ""
    staff_code_secret_is_development: bool = False
    sms_sender: str = "console"  # "twilio" sends receipts; "console" prints them (local use only)
    recording_retention_days: int = 30  # callers' recordings are deleted at Twilio after this (DOMAIN.md §7)
    draft_retention_hours: int = 24  # unfinished reports (they may hold a personnummer) are dropped after this
    console: ConsoleSettings = ConsoleSettings()

    @property
    def twilio_credentials_present(self) -> bool:
        """True when SMS go through Twilio (checked at start-up: every setting that needs is present)."""
        return self.sms_sender == "twilio"

    @classmethod
    def from_env(cls, environ: Mapping[str, str], *, instance_path: Path) -> Config:
        """Read and validate every setting; raise ConfigError naming the first bad variable."""
        config = cls._read(environ, instance_path=instance_path)
        if config.request_budget_seconds <= config.db_wait_seconds:
            raise ConfigError("IVR_REQUEST_BUDGET_SECONDS", "must be longer than IVR_DB_WAIT_SECONDS")
        _check_sender(config)
        return config

    @classmethod
    def _read(cls, environ: Mapping[str, str], *, instance_path: Path) -> Config:
        instance = Path(_get(environ, "IVR_INSTANCE_PATH") or instance_path)
        token = _get(environ, "TWILIO_AUTH_TOKEN")
        is_dev = token is None
        if token is None:
            token = ensure_development_token(instance)
        staff_secret = _get(environ, "IVR_STAFF_CODE_SECRET")
        if staff_secret is not None and len(staff_secret) < MIN_STAFF_SECRET:
            raise ConfigError("IVR_STAFF_CODE_SECRET", f"must be at least {MIN_STAFF_SECRET} characters")
        return cls(
            instance_path=instance,
            database_url=_database_url(environ, instance),
            twilio_account_sid=_account_sid(environ),
            twilio_auth_token=token,
            auth_token_is_development=is_dev,
            twilio_sms_from=_e164(environ, "TWILIO_SMS_FROM"),
            twilio_messaging_service_sid=_messaging_sid(environ),
            twilio_api_base_url=_http_url(environ, "TWILIO_API_BASE_URL", require_https=False),
            public_url=_http_url(environ, "IVR_PUBLIC_URL", require_https=True),
            directory_path=_data_file(environ, "IVR_DIRECTORY", BUNDLED_DIRECTORY),
            timezone=_timezone(environ),
            lines_path=_data_file(environ, "IVR_LINES", BUNDLED_LINES),
            db_wait_seconds=_number(environ, "IVR_DB_WAIT_SECONDS", DEFAULT_DB_WAIT, low=0.5, high=10),
            request_budget_seconds=_number(
                environ, "IVR_REQUEST_BUDGET_SECONDS", DEFAULT_REQUEST_BUDGET, low=1, high=12
            ),
            db_threads=int(_number(environ, "IVR_DB_THREADS", DEFAULT_DB_THREADS, low=1, high=64, whole=True)),
            liability_rules_path=_data_file(environ, "IVR_LIABILITY_RULES", BUNDLED_LIABILITY_RULES),
            liability_rates_path=_data_file(environ, "IVR_LIABILITY_RATES", BUNDLED_LIABILITY_RATES),
            clients_path=_data_file(environ, "IVR_CLIENTS", BUNDLED_CLIENTS),
            visits_path=_data_file(environ, "IVR_VISITS", BUNDLED_VISITS),
            staff_code_secret=staff_secret or ensure_development_token(instance, DEV_STAFF_SECRET_FILE),
            sms_sender=_sms_sender(environ),
            recording_retention_days=int(
                _number(environ, "IVR_RECORDING_RETENTION_DAYS", 30, low=1, high=3650, whole=True)
            ),
            draft_retention_hours=int(_number(environ, "IVR_DRAFT_RETENTION_HOURS", 24, low=1, high=720, whole=True)),
            staff_code_secret_is_development=staff_secret is None,
            console=ConsoleSettings.from_env(environ),
        )

    def secret_key(self) -> str:
        """The key that signs console sessions: IVR_SECRET_KEY, else one kept (0600) in the instance folder."""
        return self.console.secret_key or ensure_secret_file(self.instance_path, SECRET_KEY_FILE, nbytes=32)


def _sms_sender(environ: Mapping[str, str]) -> str:
    value = _get(environ, "IVR_SMS_SENDER")
    if value is None:
        return "console" if _get(environ, "TWILIO_AUTH_TOKEN") is None else "twilio"
    if value not in ("twilio", "console"):
        raise ConfigError("IVR_SMS_SENDER", f"must be twilio or console, not {value!r}")
    return value


def _check_sender(config: Config) -> None:
    """Receipts are legally relevant: a sender that cannot send stops start-up instead of printing them."""
    if config.sms_sender != "twilio":
        return
    hint = "receipts are sent through Twilio (IVR_SMS_SENDER=twilio, the default once TWILIO_AUTH_TOKEN is set)"
    if config.auth_token_is_development:
        raise ConfigError("TWILIO_AUTH_TOKEN", f"not set, but {hint}")
    if config.twilio_account_sid is None:
        raise ConfigError("TWILIO_ACCOUNT_SID", f"not set, but {hint}; or set IVR_SMS_SENDER=console for local use")
    if config.twilio_sms_from is None and config.twilio_messaging_service_sid is None:
        raise ConfigError("TWILIO_SMS_FROM", f"neither it nor TWILIO_MESSAGING_SERVICE_SID is set, but {hint}")
    if config.public_url is None:
        raise ConfigError("IVR_PUBLIC_URL", f"not set, but {hint}, and their delivery reports come back to it")


def _get(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def _database_url(environ: Mapping[str, str], instance: Path) -> str:
    raw = _get(environ, "DATABASE_URL")
    if raw is None:
        instance.mkdir(parents=True, exist_ok=True)  # the SQLite file lives in the instance folder
        return f"sqlite:///{instance / 'outage-line.sqlite3'}"
    scheme = raw.split("://", 1)[0] if "://" in raw else ""
    if scheme in ("postgres", "postgresql"):
        # Heroku-style URLs name no driver; we ship psycopg 3.
        return "postgresql+psycopg://" + raw.split("://", 1)[1]
    if scheme == "sqlite":
        folder = Path(raw.split(":///", 1)[1]).parent if ":///" in raw else None
        if folder is not None and not folder.is_dir():
            raise ConfigError("DATABASE_URL", f"the folder of the SQLite file does not exist: {folder}")
        return raw
    if scheme == "postgresql+psycopg":
        return raw
    raise ConfigError(
        "DATABASE_URL",
        f"unsupported database URL scheme {scheme or '(none)'!r}; use sqlite:///path or postgresql://host/db",
    )


def _account_sid(environ: Mapping[str, str]) -> str | None:
    value = _get(environ, "TWILIO_ACCOUNT_SID")
    if value is not None and not _ACCOUNT_SID.match(value):
        raise ConfigError("TWILIO_ACCOUNT_SID", "must be 'AC' followed by 32 hexadecimal characters")
    return value


def _messaging_sid(environ: Mapping[str, str]) -> str | None:
    value = _get(environ, "TWILIO_MESSAGING_SERVICE_SID")
    if value is not None and not _MESSAGING_SID.match(value):
        raise ConfigError("TWILIO_MESSAGING_SERVICE_SID", "must be 'MG' followed by 32 hexadecimal characters")
    return value


def _e164(environ: Mapping[str, str], name: str) -> str | None:
    value = _get(environ, name)
    if value is None:
        return None
    import phonenumbers  # only when a number is configured: it is slow to import

    try:
        number = phonenumbers.parse(value, "SE")
    except phonenumbers.NumberParseException as exc:
        raise ConfigError(name, f"not a phone number: {exc}") from exc
    if not phonenumbers.is_valid_number(number):
        raise ConfigError(name, f"{value!r} is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _bool(environ: Mapping[str, str], name: str, *, default: bool) -> bool:
    value = _get(environ, name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ConfigError(name, f"must be true or false, not {value!r}")


def _int(environ: Mapping[str, str], name: str, *, default: int, low: int, high: int) -> int:
    value = _get(environ, name)
    if value is None:
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        raise ConfigError(name, f"must be a whole number {low}-{high}, not {value!r}")
    return int(value)


def _rate_limit(environ: Mapping[str, str], name: str, default: str) -> str:
    value = _get(environ, name)
    if value is None:
        return default  # known good; `limits` (slow to import) is asked only about an operator's own value
    from limits import parse_many

    try:
        parse_many(value)
    except ValueError as exc:
        raise ConfigError(name, f"{value!r} is not a rate such as '5 per 15 minutes'") from exc
    return value


def _rate_limit_storage(environ: Mapping[str, str]) -> str:
    value = _get(environ, "IVR_RATE_LIMIT_STORAGE") or DATABASE_STORAGE
    if value == DATABASE_STORAGE:
        return value
    from limits._storage_scheme import SCHEMES  # the registry of storage schemes (not re-exported)

    scheme = value.split("://", 1)[0] if "://" in value else value
    if value != DATABASE_STORAGE and (scheme not in SCHEMES or scheme == "memory"):
        raise ConfigError(
            "IVR_RATE_LIMIT_STORAGE",
            f"use 'database' or a shared storage URI such as redis://host:6379 (not {value!r}; "
            "memory:// would give each web process its own count)",
        )
    return value


def _http_url(environ: Mapping[str, str], name: str, *, require_https: bool, allow_query: bool = False) -> str | None:
    value = _get(environ, name)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(name, f"{value!r} is not an http(s) URL")
    local = parts.hostname in ("localhost", "127.0.0.1", "::1")
    if require_https and parts.scheme != "https" and not local:
        raise ConfigError(name, "must use https (Twilio signs the https URL it calls)")
    if (parts.query and not allow_query) or parts.fragment:
        raise ConfigError(name, "must not carry a query string or fragment")
    return value.rstrip("/")


def _data_file(environ: Mapping[str, str], name: str, bundled: Path) -> Path:
    value = _get(environ, name)
    path = Path(value) if value else bundled
    if not path.is_file():
        raise ConfigError(name, f"no such file: {path}")
    return path


def _number(
    environ: Mapping[str, str], name: str, default: float, *, low: float, high: float, whole: bool = False
) -> float:
    value = _get(environ, name)
    if value is None:
        return default
    try:
        number = int(value) if whole else float(value)
    except ValueError as exc:
        kind = "a whole number" if whole else "a number of seconds"
        raise ConfigError(name, f"{value!r} is not {kind}") from exc
    if not low <= number <= high:
        raise ConfigError(name, f"must be between {low:g} and {high:g}, not {value}")
    return number


def _timezone(environ: Mapping[str, str]) -> ZoneInfo:
    value = _get(environ, "IVR_TIMEZONE") or "Europe/Stockholm"
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError("IVR_TIMEZONE", f"unknown time zone {value!r}") from exc


def ensure_development_token(instance: Path, name: str = DEV_TOKEN_FILE) -> str:
    """Return a local development secret (the auth token by default), creating it (mode 0600) on first use."""
    return ensure_secret_file(instance, name, nbytes=16)


def ensure_secret_file(instance: Path, name: str, *, nbytes: int) -> str:
    """A random hex secret kept in a file of the instance folder (mode 0600), created on first use."""
    path = instance / name
    for _ in range(50):  # several processes may start at once: one creates the file, the others read it
        if path.is_file():
            token = path.read_text(encoding="ascii").strip()
            if token:
                return token
            time.sleep(0.02)
            continue
        instance.mkdir(parents=True, exist_ok=True)
        token = secrets.token_hex(nbytes)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(token + "\n")
        return token
    raise ConfigError("IVR_INSTANCE_PATH", f"{path} stays empty; delete it and start again")
