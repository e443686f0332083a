"""Team mode's credentials file: hashed passwords and a cookie secret, or a one-line refusal."""

from __future__ import annotations

import bcrypt
import pytest

from workbench.errors import InputError
from workbench.ui import auth


def write_credentials(path, password_hash, key="a-secret-of-thirty-two-characters-or-more"):
    path.write_text(
        "credentials:\n  usernames:\n    alice:\n      name: Alice\n"
        f"      password: '{password_hash}'\ncookie:\n  name: wb\n  key: '{key}'\n  expiry_days: 1\n"
    )


def test_team_config_needs_hashed_passwords_and_a_cookie_secret(tmp_path):
    path = tmp_path / "credentials.yaml"
    hashed = bcrypt.hashpw(b"pw", bcrypt.gensalt(rounds=4)).decode()
    write_credentials(path, hashed)
    config = auth.load_team_config(path)
    assert config.credentials["usernames"]["alice"]["name"] == "Alice"
    assert config.cookie_name == "wb"
    write_credentials(path, "plain-text")
    with pytest.raises(InputError, match="'alice' has no bcrypt-hashed password"):
        auth.load_team_config(path)
    write_credentials(path, hashed, key="short")
    with pytest.raises(InputError, match=r"cookie\.key"):
        auth.load_team_config(path)
    with pytest.raises(InputError, match=r"missing\.yaml: team mode needs a credentials file"):
        auth.load_team_config(tmp_path / "missing.yaml")
    path.write_text("credentials: [unclosed")
    with pytest.raises(InputError, match="not valid YAML"):
        auth.load_team_config(path)
