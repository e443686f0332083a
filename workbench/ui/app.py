"""The workbench in the browser: page config, session defaults, who is reviewing, and the page list.

Run with `workbench app` (or `streamlit run workbench/ui/app.py`). Each page is a thin script under
`app_pages/` over the `workbench` package; everything they share is in `st.session_state`:
    document  the selected document id (sidebar)
    reviewer  the reviewer's name: given once per session (local mode) or the signed-in user (team mode)
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from workbench import settings, views
from workbench.errors import WorkbenchError, show_publicly
from workbench.ui import auth, session

PAGES = Path(__file__).resolve().parent / "app_pages"

st.set_page_config(page_title="OCR workbench", page_icon=":material/find_in_page:", layout="wide")
show_publicly(views.public_message)  # every error a page shows reads without the server's paths

for name, default in (("reviewer", ""), ("document", None), ("page", 1)):
    st.session_state.setdefault(name, default)

try:
    auth_mode = settings.get("WORKBENCH_AUTH")
    collection = views.collection()
    documents = collection.document_ids()
except WorkbenchError as error:
    st.error(str(error))
    st.stop()

if auth_mode == "team":
    # Sign-in against hashed passwords; the reviewer is whoever signed in, never a name typed in.
    try:
        team = auth.team_config()
        authenticator = auth.team_authenticator(
            team, secure_cookie=auth.served_over_https(st.context.url, dict(st.context.headers))
        )
    except WorkbenchError as error:
        st.error(str(error))
        st.stop()
    if auth.cookie_is_revoked(st.context.cookies.get(team.cookie_name), team):
        st.session_state["logout"] = True  # the library then ignores the cookie and asks for the password
    authenticator.login(location="main", key="login")
    if not st.session_state.get("authentication_status"):
        if st.session_state.get("authentication_status") is False:
            st.error("Username or password is wrong.")
        st.info("Team mode: sign in to review.")
        st.stop()
    st.session_state["reviewer"] = st.session_state["username"]
    with st.sidebar:
        st.caption(f"Signed in as **{st.session_state['name']}** ({st.session_state['username']})")
        try:
            # not key="logout": the library keeps its own st.session_state["logout"]
            authenticator.logout(
                "Sign out", location="sidebar", key="sign_out",
                callback=lambda event: auth.record_sign_out(event["username"]),
            )
        except WorkbenchError as error:
            st.error(str(error))
            st.stop()
    if not st.session_state.get("authentication_status"):  # signed out just now
        st.session_state["reviewer"] = ""
        st.rerun()
elif auth_mode != "local":
    st.error(f"WORKBENCH_AUTH={auth_mode!r}: expected 'local' or 'team'")
    st.stop()

session.start(auth_mode)  # the reviewer's name across reloads (a session cookie, local mode)

with st.sidebar:
    if documents:
        if st.session_state.get("select_document") in documents:
            st.session_state["document"] = st.session_state.pop("select_document")
        if st.session_state["document"] not in documents:
            st.session_state["document"] = views.default_document(documents)
        # Bound to the URL (?document=...), so a reload or a shared link opens the same document.
        default = documents.index(views.default_document(documents))
        st.selectbox("Document", documents, index=default, key="document", bind="query-params")
    else:
        st.info("The collection has no documents yet: add one on the Documents page.")
    if auth_mode == "local" and st.session_state["reviewer"]:
        st.caption(f"Reviewer: **{st.session_state['reviewer']}**")
        st.button("Change reviewer", key="reviewer_change", type="tertiary", on_click=session.forget_reviewer)

navigation = st.navigation(
    [
        st.Page(PAGES / "documents.py", title="Documents", icon=":material/folder_open:", url_path="documents",
                default=True),
        st.Page(PAGES / "compare.py", title="Compare", icon=":material/compare:", url_path="compare"),
        st.Page(PAGES / "review.py", title="Review", icon=":material/rate_review:", url_path="review"),
        st.Page(PAGES / "transcribe.py", title="Transcribe", icon=":material/edit_note:", url_path="transcribe"),
        st.Page(PAGES / "search.py", title="Search", icon=":material/manage_search:", url_path="search"),
        st.Page(PAGES / "reports.py", title="Reports", icon=":material/bar_chart:", url_path="reports"),
        st.Page(PAGES / "export.py", title="Export", icon=":material/download:", url_path="export"),
    ]
)
navigation.run()
