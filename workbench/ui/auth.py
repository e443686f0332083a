"""Team mode: who may review, from a YAML file of reviewers with bcrypt-hashed passwords.

The file is checked here (plain Python, testable without a browser); `team_authenticator` wraps it in
streamlit-authenticator's sign-in for `ui/app.py`.

Signing out is recorded on the server (`record_sign_out`): the sign-in cookie is a signed token that stays
valid until it expires, so a copy of it replayed in another browser would sign in again unless the server
refuses cookies issued before the reviewer's last sign-out (`cookie_is_revoked`). The cookie is set by
script in the browser (streamlit-authenticator's cookie component), so it cannot be HttpOnly; it is
SameSite=Strict always, and Secure whenever the app is served over HTTPS.
"""

from __future__ import annotations

import fcntl
import functools
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from workbench import settings
from workbench.errors import InputError
from workbench.fsutil import atomic_write_json

# --- who may review --------------------------------------------------------------------------------


def credentials_path() -> Path:
    """The team-mode credentials file: WORKBENCH_CREDENTIALS, or credentials.yaml in the collection."""
    configured = settings.get("WORKBENCH_CREDENTIALS")
    return Path(configured) if configured else settings.home() / "credentials.yaml"


_BCRYPT = re.compile(r"\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}")  # fullmatch: no trailing newline


@dataclass(frozen=True, slots=True)
class TeamConfig:
    """Reviewers with hashed passwords, and the cookie that keeps a sign-in across reloads."""

    credentials: dict
    cookie_name: str
    cookie_key: str
    cookie_expiry_days: float


def load_team_config(path: Path) -> TeamConfig:
    """Read the credentials YAML (streamlit-authenticator's layout); InputError naming the file when it is unusable.

    Every password must already be a bcrypt hash: a plain-text password is refused rather than hashed in place.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: team mode needs a credentials file (set WORKBENCH_CREDENTIALS)")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: credentials file is not valid YAML ({error})") from None
    users = ((data or {}).get("credentials") or {}).get("usernames") if isinstance(data, dict) else None
    if not isinstance(users, dict) or not users:
        raise InputError(f"{path}: credentials file lists no reviewers under credentials.usernames")
    for username, entry in users.items():
        password = entry.get("password") if isinstance(entry, dict) else None
        if not isinstance(password, str) or not _BCRYPT.fullmatch(password):
            raise InputError(f"{path}: reviewer {username!r} has no bcrypt-hashed password")
    cookie = data.get("cookie") or {}
    key = cookie.get("key")
    if not isinstance(key, str) or len(key) < 32:
        raise InputError(f"{path}: cookie.key must be a secret of at least 32 characters (it signs the sign-in cookie)")
    return TeamConfig(
        credentials={"usernames": users},
        cookie_name=str(cookie.get("name", "workbench_auth")),
        cookie_key=key,
        cookie_expiry_days=float(cookie.get("expiry_days", 1)),
    )


# --- signing out for good -----------------------------------------------------------------------------

SIGNED_OUT_NAME = ".workbench-signed-out.json"


def signed_out_path() -> Path:
    """Where sign-outs are recorded: a small JSON file in the collection (reviewer -> time of sign-out)."""
    return settings.home() / SIGNED_OUT_NAME


def sign_outs(path: Path | None = None) -> dict[str, float]:
    """When each reviewer last signed out (seconds since the epoch); {} when nobody has or the file is unreadable."""
    path = signed_out_path() if path is None else Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): float(v) for k, v in data.items() if isinstance(v, int | float) and not isinstance(v, bool)}


def record_sign_out(username: str, *, at: float | None = None, path: Path | None = None) -> None:
    """Record that `username` signed out (now, or at `at`): every sign-in cookie issued to them before then is
    refused from now on, in every browser. Read-modify-write under a lock, so that no sign-out is lost.
    InputError when the record cannot be written."""
    path = signed_out_path() if path is None else Path(path)
    try:
        with open(path.with_name(path.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            known = sign_outs(path)
            known[username] = time.time() if at is None else at
            atomic_write_json(path, known)
    except OSError as error:
        raise InputError(f"cannot record the sign-out of {username!r} ({error.strerror})") from None


def cookie_is_revoked(token: str | None, config: TeamConfig, *, path: Path | None = None) -> bool:
    """True when sign-in cookie `token` was issued at or before its reviewer's last sign-out.

    The token (streamlit-authenticator's JWT) holds the reviewer and its expiry time; it was issued
    `cookie_expiry_days` before that. A token that does not decode is no concern here: the library refuses it.
    """
    if not token:
        return False
    import jwt  # only team mode needs it

    try:
        payload = jwt.decode(token, config.cookie_key, algorithms=["HS256"])
    except jwt.InvalidTokenError:
        return False
    username, expires = payload.get("username"), payload.get("exp_date")
    if not isinstance(username, str) or not isinstance(expires, int | float):
        return False
    signed_out = sign_outs(path).get(username)
    return signed_out is not None and expires - config.cookie_expiry_days * 86400 <= signed_out


def served_over_https(url: str | None, headers: dict | None = None) -> bool:
    """True when the browser reached the app over HTTPS: its URL says so, or the TLS proxy in front of it does
    (X-Forwarded-Proto). Only then can the sign-in cookie be marked Secure."""
    if (url or "").lower().startswith("https://"):
        return True
    forwarded = {str(k).lower(): str(v) for k, v in (headers or {}).items()}.get("x-forwarded-proto", "")
    return forwarded.split(",")[0].strip().lower() == "https"


def team_config() -> TeamConfig:
    """The team credentials file (WORKBENCH_CREDENTIALS), checked."""
    return load_team_config(credentials_path())


def team_authenticator(config: TeamConfig, *, secure_cookie: bool = False):
    """A streamlit-authenticator sign-in over `config` (hashed passwords only), whose cookie is SameSite=Strict,
    and Secure when `secure_cookie` (the app is served over HTTPS)."""
    import streamlit_authenticator  # only team mode needs it; local mode never pays for the import

    authenticator = streamlit_authenticator.Authenticate(
        config.credentials,
        config.cookie_name,
        config.cookie_key,
        config.cookie_expiry_days,
        auto_hash=False,
    )
    # The library sets its cookie without these attributes; its cookie manager takes them per call.
    manager = authenticator.cookie_controller.cookie_model.cookie_manager
    manager.set = functools.partial(manager.set, secure=secure_cookie or None, same_site="strict")
    return authenticator
