"""Team mode's credentials file: hashed passwords and a cookie secret, or a one-line refusal."""

from __future__ import annotations

import bcrypt
import pytest

from tests.ui.test_app import team_mode  # noqa: F401 - a fixture
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


def test_a_signed_out_reviewers_older_cookies_are_revoked_and_newer_ones_are_not(tmp_path):
    import jwt

    path = tmp_path / "credentials.yaml"
    write_credentials(path, bcrypt.hashpw(b"pw", bcrypt.gensalt(rounds=4)).decode())
    config = auth.load_team_config(path)
    record = tmp_path / "signed-out.json"

    def cookie(username: str, issued: float) -> str:  # as streamlit-authenticator signs it
        expires = issued + config.cookie_expiry_days * 86400
        return jwt.encode({"username": username, "exp_date": expires}, config.cookie_key, algorithm="HS256")

    before, after = cookie("alice", 1000.0), cookie("alice", 3000.0)
    assert not auth.cookie_is_revoked(before, config, path=record)  # nobody has signed out yet
    auth.record_sign_out("alice", at=2000.0, path=record)
    auth.record_sign_out("bob", at=2500.0, path=record)
    assert auth.sign_outs(record) == {"alice": 2000.0, "bob": 2500.0}  # one sign-out does not lose another
    assert auth.cookie_is_revoked(before, config, path=record)
    assert not auth.cookie_is_revoked(after, config, path=record)
    assert not auth.cookie_is_revoked(cookie("carol", 1000.0), config, path=record)
    assert not auth.cookie_is_revoked(None, config, path=record)
    assert not auth.cookie_is_revoked("not-a-token", config, path=record)  # the library refuses it itself


def test_the_cookie_is_secure_when_the_app_is_served_over_https():
    assert auth.served_over_https("https://workbench.example.org/review")
    assert auth.served_over_https("http://10.0.0.5:8501/", {"X-Forwarded-Proto": "https"})
    assert not auth.served_over_https("http://127.0.0.1:8501/", {"Host": "127.0.0.1"})
    assert not auth.served_over_https(None)


def test_a_password_hash_with_a_trailing_newline_is_refused(tmp_path):
    path = tmp_path / "credentials.yaml"
    hashed = bcrypt.hashpw(b"pw", bcrypt.gensalt(rounds=4)).decode()
    write_credentials(path, hashed + "\\n")  # a YAML escape: the value ends in a newline
    path.write_text(path.read_text().replace(f"'{hashed}\\n'", f'"{hashed}\\n"'))
    with pytest.raises(InputError, match="no bcrypt-hashed password"):
        auth.load_team_config(path)


def test_sign_out_signs_the_reviewer_out_without_an_error(ui_collection, team_mode, tmp_path):  # noqa: F811
    from tests.ui.test_app import app, no_errors, sign_in

    at = app(document="memo-1975")
    sign_in(at, "ann", "s3cret")
    no_errors(at)
    assert at.session_state["reviewer"] == "ann"
    at.button(key="sign_out").click().run()
    no_errors(at)  # was StreamlitWidgetAlreadyInstantiatedError for st.session_state['logout']
    assert not at.session_state["authentication_status"]
    assert not at.session_state["reviewer"]
    assert "Username" in [t.label for t in at.text_input]  # the sign-in form again
    assert "ann" in auth.sign_outs(ui_collection.home / auth.SIGNED_OUT_NAME)
