"""Team mode: who may review, from a YAML file of reviewers with bcrypt-hashed passwords.

The file is checked here (plain Python, testable without a browser); `team_authenticator` wraps it in
streamlit-authenticator's sign-in for `ui/app.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from workbench import settings
from workbench.errors import InputError

# --- who may review --------------------------------------------------------------------------------


def credentials_path() -> Path:
    """The team-mode credentials file: WORKBENCH_CREDENTIALS, or credentials.yaml in the collection."""
    configured = settings.get("WORKBENCH_CREDENTIALS")
    return Path(configured) if configured else settings.home() / "credentials.yaml"


_BCRYPT = re.compile(r"^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$")


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
        if not isinstance(password, str) or not _BCRYPT.match(password):
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


def team_authenticator():
    """A streamlit-authenticator sign-in over the team credentials file (hashed passwords only)."""
    import streamlit_authenticator  # only team mode needs it; local mode never pays for the import

    config = load_team_config(credentials_path())
    return streamlit_authenticator.Authenticate(
        config.credentials,
        config.cookie_name,
        config.cookie_key,
        config.cookie_expiry_days,
        auto_hash=False,
    )
