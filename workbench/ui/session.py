"""What a reviewer's browser keeps across a reload (F5) or a restarted server.

The place in the work lives in the URL: the document and the Review filters are widgets bound to query
parameters (`bind="query-params"`), the current flag is the `flag` parameter; a reload or a link opens
the same view. The reviewer's name (local mode) lives in a session cookie: it lasts exactly as long as the
browser session, like a sign-in; it reaches the server with the page's own request, so the first run
after a reload already knows it (no extra round trip through a component); and, unlike a query
parameter, it does not travel in a copied link, so a colleague opening a shared link decides under their
own name. In team mode the reviewer is the signed-in user and streamlit-authenticator keeps the sign-in.
"""

from __future__ import annotations

import json
from urllib.parse import quote, unquote

import streamlit as st

REVIEWER_COOKIE = "workbench_reviewer"
MAX_NAME = 80  # the name form's limit (components.reviewer_name_widget), applied to the cookie's too


def remembered_reviewer() -> str:
    """The reviewer name this browser gave earlier in its session (the cookie), '' when there is none."""
    raw = dict(st.context.cookies).get(REVIEWER_COOKIE)
    return unquote(raw).strip()[:MAX_NAME] if isinstance(raw, str) else ""


def _cookie_script(value: str, *, max_age: int | None = None) -> str:
    # quote() leaves only URL-safe ASCII, so the JSON string literal cannot end the script early.
    lifetime = f"; max-age={max_age}" if max_age is not None else ""
    literal = json.dumps(f"{REVIEWER_COOKIE}={quote(value, safe='')}; path=/; SameSite=Strict{lifetime}")
    return f"<script>document.cookie = {literal};</script>"


def keep_reviewer(name: str) -> None:
    """Write `name` into the session cookie once per name (no expiry: it goes when the browser closes)."""
    if st.session_state.get("_reviewer_kept") == name:
        return
    st.sidebar.html(_cookie_script(name), unsafe_allow_javascript=True)
    st.session_state["_reviewer_kept"] = name


def forget_reviewer() -> None:
    """Clear the reviewer of this session and its cookie (someone else takes over the browser)."""
    st.session_state["reviewer"] = ""
    st.session_state.pop("_reviewer_kept", None)
    st.session_state["_reviewer_forget"] = True


def start(auth_mode: str) -> None:
    """Set up a run: in local mode take the reviewer from the cookie when the session does not know it yet
    (a reload, a restarted server), and write or clear the cookie as the session's name changed."""
    if auth_mode != "local":
        return
    if st.session_state.pop("_reviewer_forget", False):
        st.sidebar.html(_cookie_script("", max_age=0), unsafe_allow_javascript=True)
        return
    if not st.session_state.get("reviewer") and not st.session_state.get("_reviewer_asked"):
        st.session_state["reviewer"] = remembered_reviewer()
    st.session_state["_reviewer_asked"] = True
    if st.session_state.get("reviewer"):
        keep_reviewer(st.session_state["reviewer"])


def place(name: str) -> str | None:
    """A query parameter of the URL the page was opened with (None when absent)."""
    return st.query_params.get(name)


def mark(name: str, value: str | None) -> None:
    """Put `value` into the URL as query parameter `name` (None removes it), so a reload comes back here."""
    if value is None:
        if name in st.query_params:
            del st.query_params[name]
    elif st.query_params.get(name) != value:
        st.query_params[name] = value
