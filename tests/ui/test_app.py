"""Every page of the Streamlit app, driven through its widgets with AppTest."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

ENTRY = Path(__file__).resolve().parents[2] / "workbench" / "ui" / "app.py"


def app(**state) -> AppTest:
    at = AppTest.from_file(str(ENTRY), default_timeout=30)
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def png(width: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (width, 60), 255).save(buffer, format="PNG")
    return buffer.getvalue()


def test_documents_page_lists_the_collection(repo_collection):
    at = app()
    no_errors(at)
    assert at.title[0].value == "Documents"
    listed = at.dataframe[0].value
    assert "us-japan-1974" in list(listed["document"])
    assert at.sidebar.selectbox(key="document").value in repo_collection.document_ids()
    pages = at.dataframe[1].value
    assert list(pages["page"]) == list(range(1, len(pages) + 1))


def test_documents_page_adds_an_uploaded_document(copied_collection):
    at = app()
    at.text_input(key="add_id").input("memo-1975")
    at.text_input(key="add_title").input("A memo")
    at.file_uploader(key="add_scans").set_value([("p2.png", png(90), "image/png"), ("p1.png", png(80), "image/png")])
    at.file_uploader(key="add_gold").set_value([("p1.txt", b"First page", "text/plain"),
                                                ("p2.txt", b"Second page", "text/plain")])
    at.button(key="add_submit").click().run()
    no_errors(at)
    assert "Added memo-1975: 2 page(s)." in [s.value for s in at.success]
    assert at.sidebar.selectbox(key="document").value == "memo-1975"  # the new document is selected
    document = copied_collection.document("memo-1975")
    assert Image.open(document.pages[0].scan).width == 80
    assert copied_collection.has_gold(document)


def test_documents_page_reports_a_bad_upload_in_one_line(copied_collection):
    at = app()
    at.text_input(key="add_id").input("memo-bad")
    at.text_input(key="add_title").input("Broken")
    at.file_uploader(key="add_scans").set_value([("scan.png", b"not an image", "image/png")])
    at.button(key="add_submit").click().run()
    assert not at.exception
    assert any("scan.png" in e.value and "not an image" in e.value for e in at.error)
    assert "memo-bad" not in copied_collection.document_ids()


@pytest.mark.parametrize("page", ["compare", "review", "reports", "export"])
def test_every_page_renders_without_exception(page):
    at = app()
    at.switch_page(f"app_pages/{page}.py").run()
    no_errors(at)


# --- pages on a collection the tests own -----------------------------------------------------------


def store_decisions(doc_id: str):
    from workbench.review import current_decisions
    from workbench.store import open_store

    return current_decisions(open_store(), doc_id)


def open_review(doc_id: str = "memo-1975", reviewer: str = "ann") -> AppTest:
    at = app(document=doc_id, reviewer=reviewer)
    at.switch_page("app_pages/review.py").run()
    no_errors(at)
    return at


def current_flag(at: AppTest):
    from workbench.review import flag_state
    from workbench.store import open_store

    return flag_state(open_store(), at.session_state["document"], at.session_state["review_key"])


def test_compare_shows_the_scan_and_a_character_diff_with_markings_apart(ui_collection):
    at = app(document="memo-1975")
    at.switch_page("app_pages/compare.py").run()
    no_errors(at)
    assert len(at.image) == 1
    diff = next(h.value for h in at.html if "wb-diff" in h.value and "<table" in h.value)
    assert "&lt;script&gt;" in diff and "<script>" not in diff  # OCR text is escaped
    assert '<span class="wb-sub">0</span>' in diff  # C0NFIDENTIAL against CONFIDENTIAL
    assert 'class="wb-marking' in diff and "classification" in diff  # the marking row is told apart
    at.selectbox(key="compare_line").select(2).run()
    assert 'class="wb-selected" id="line-3"' in next(h.value for h in at.html if "<table" in h.value)
    at.number_input(key="page").set_value(2).run()
    no_errors(at)
    assert "Second page text." in next(h.value for h in at.html if "<table" in h.value)


def test_compare_works_on_a_document_without_gold(ui_collection):
    at = app(document="notes")
    at.switch_page("app_pages/compare.py").run()
    no_errors(at)
    assert "Handwritten nctes" in next(h.value for h in at.html if "<table" in h.value)


def test_review_asks_the_reviewer_name_once(ui_collection):
    at = app(document="memo-1975")
    at.switch_page("app_pages/review.py").run()
    no_errors(at)
    assert "review_accept" not in [b.key for b in at.button]  # no deciding before a name is given
    assert any("recorded with every decision" in info.value for info in at.info)
    at.text_input(key="reviewer_name").input("Ann Archivist")
    at.button(key="reviewer_start").click().run()
    no_errors(at)
    assert at.session_state["reviewer"] == "Ann Archivist"
    assert "review_accept" in [b.key for b in at.button]
    assert "Ann Archivist" in at.get("progress")[0].proto.text


def test_accepting_a_flag_stores_the_decision_and_changes_the_export(ui_collection):
    at = open_review()
    state = current_flag(at)
    assert state.decision is None and state.flag.suggestions
    at.switch_page("app_pages/export.py").run()
    before = at.text_area(key="export_text").value
    at.switch_page("app_pages/review.py").run()
    at.button(key="review_accept").click().run()
    no_errors(at)
    decided = store_decisions("memo-1975")[state.key]
    assert (decided.action.value, decided.text, decided.reviewer) == ("accept", state.flag.suggestions[0], "ann")
    assert at.session_state["review_key"] != state.key  # moved on to the next open flag
    at.switch_page("app_pages/export.py").run()
    no_errors(at)
    after = at.text_area(key="export_text").value
    assert after != before
    assert after == views_corrected_text(ui_collection)


def views_corrected_text(collection) -> str:
    from workbench.store import open_store
    from workbench.transcript import correct_document

    return correct_document(collection, open_store(), "memo-1975").text


def test_edit_keep_gold_wrong_and_undo_through_the_widgets(ui_collection):
    at = open_review()
    first = current_flag(at)
    at.text_input(key=f"review_edit_text_{first.key}").input("my reading")
    at.button(key="review_edit").click().run()
    no_errors(at)
    assert store_decisions("memo-1975")[first.key].text == "my reading"
    second = current_flag(at)
    at.button(key="review_keep").click().run()
    assert store_decisions("memo-1975")[second.key].action.value == "keep_ocr"
    third = current_flag(at)
    at.text_input(key=f"review_edit_text_{third.key}").input("gold typo")
    at.button(key="review_gold_wrong").click().run()
    assert store_decisions("memo-1975")[third.key].action.value == "gold_wrong"
    at.button(key="review_undo").click().run()
    no_errors(at)
    assert third.key not in store_decisions("memo-1975")
    assert first.key in store_decisions("memo-1975")


def test_queue_filters_and_navigation(ui_collection):
    at = open_review()
    at.selectbox(key="review_filter_status").select("all").run()
    total = len(store_flags("memo-1975"))
    assert f"of {total}" in at.subheader[0].value
    at.multiselect(key="review_filter_categories").select("stamp_noise").run()
    no_errors(at)
    assert current_flag(at).flag.category.value == "stamp_noise"
    at.multiselect(key="review_filter_categories").unselect("stamp_noise").run()
    at.selectbox(key="review_filter_page").select(2).run()
    no_errors(at)
    assert any(i.value == "No flag matches the filters." for i in at.info) or current_flag(at).flag.page == 2
    at.selectbox(key="review_filter_page").select(None).run()
    first = at.session_state["review_key"]
    at.button(key="review_next").click().run()
    assert at.session_state["review_key"] != first
    at.button(key="review_prev").click().run()
    assert at.session_state["review_key"] == first


def store_flags(doc_id: str):
    from workbench.review import flag_states
    from workbench.store import open_store

    return flag_states(open_store(), doc_id)


def test_apply_to_all_identical_decides_every_occurrence(ui_collection):
    from tests.ui.conftest import make_document

    make_document(ui_collection, "twice", [["teh cat and teh dog"]], gold=True)
    gold = ui_collection.gold_dir("twice")
    gold.mkdir(parents=True)
    (gold / "page-001.txt").write_text("the cat and the dog\n", encoding="utf-8")
    at = open_review(doc_id="twice")
    key = at.session_state["review_key"]
    at.button(key="review_apply_all").click().run()  # lists the occurrences first
    no_errors(at)
    assert not store_decisions("twice")
    at.button(key="review_apply_confirm").click().run()
    no_errors(at)
    assert key in store_decisions("twice") and len(store_decisions("twice")) == 2
    assert "in all 2 places" in at.success[0].value


def test_a_conflict_shows_the_other_reviewers_decision(ui_collection):
    from workbench.review import decide
    from workbench.store import open_store

    at = open_review(reviewer="ann")
    state = current_flag(at)
    decide(open_store(), "memo-1975", state.key, action="keep_ocr", reviewer="bob", version=state.version)
    at.button(key="review_accept").click().run()
    no_errors(at)
    warning = at.warning[0].value
    assert "another reviewer changed this flag" in warning and "bob kept the OCR" in warning
    assert store_decisions("memo-1975")[state.key].reviewer == "bob"


def test_a_document_without_gold_gets_flags_and_review(ui_collection):
    at = open_review(doc_id="notes")
    state = current_flag(at)
    assert state.flag.source.value == "heuristic"
    at.button(key="review_keep").click().run()
    no_errors(at)
    assert store_decisions("notes")[state.key].action.value == "keep_ocr"


def test_documents_page_adds_a_document_from_ocr_and_gold_without_scans(copied_collection):
    at = app()
    at.text_input(key="add_id").input("vendor")
    at.text_input(key="add_title").input("Vendor OCR")
    at.text_input(key="add_lang").input("fra")
    at.file_uploader(key="add_ocr").set_value([("vendor.txt", b"Le prcmier jour.\fLe second.\n", "text/plain")])
    at.file_uploader(key="add_gold").set_value([("gold.txt", b"Le premier jour.\fLe second.\n", "text/plain")])
    at.button(key="add_submit").click().run()
    no_errors(at)
    assert "Added vendor: 2 page(s)." in [s.value for s in at.success]
    document = copied_collection.document("vendor")
    assert document.lang == "fra" and not any(page.scan for page in document.pages)


def test_a_document_without_scans_is_compared_reviewed_and_exported_as_text(ui_collection):
    from workbench.corpus import add_document

    ocr, gold = ui_collection.home / "vendor.txt", ui_collection.home / "gold.txt"
    ocr.write_text("The Treaty of Mutual Cooperatlon.\n", encoding="utf-8")
    gold.write_text("The Treaty of Mutual Cooperation.\n", encoding="utf-8")
    add_document(ui_collection, "vendor", title="Vendor OCR", ocr=[ocr], gold=[gold])
    at = app(document="vendor")
    at.switch_page("app_pages/compare.py").run()
    no_errors(at)
    assert not at.image and "No scan for this page" in " ".join(i.value for i in at.info)
    at = open_review(doc_id="vendor")
    assert "No scan for this page" in " ".join(c.value for c in at.caption)
    state = current_flag(at)
    assert state.flag.text.startswith("Cooperatlon")
    at.button(key="review_accept").click().run()
    no_errors(at)
    at.switch_page("app_pages/export.py").run()
    no_errors(at)
    assert "Mutual Cooperation." in at.text_area(key="export_text").value


def test_reports_page_draws_the_charts_and_writes_the_html_report(ui_collection):
    at = app(document="memo-1975")
    at.switch_page("app_pages/reports.py").run()
    no_errors(at)
    assert len(at.get("vega_lite_chart")) == 3  # CER/WER by page, flags by category, confusions
    assert at.dataframe[0].value["category"].iloc[0] == "all"  # precision and recall table
    at.button(key="report_write").click().run()
    no_errors(at)
    assert (ui_collection.reports / "memo-1975" / "index.html").exists()
    assert "report_html" in [d.key for d in at.get("download_button")]


def test_export_switches_an_automatic_rule_as_a_logged_decision(ui_collection):
    from workbench.store import open_store

    at = app(document="memo-1975")
    at.switch_page("app_pages/export.py").run()
    no_errors(at)
    assert at.toggle(key="export_rule_drop_stamp_noise").disabled  # no reviewer yet
    at = app(document="memo-1975", reviewer="ann")
    at.switch_page("app_pages/export.py").run()
    at.toggle(key="export_rule_join_hyphenation").set_value(False).run()
    no_errors(at)
    (setting,) = open_store().rule_settings("memo-1975")
    assert (setting.rule, setting.enabled, setting.reviewer) == ("join_hyphenation", False, "ann")
    assert at.toggle(key="export_rule_join_hyphenation").value is False


def test_export_offers_txt_json_and_alto(ui_collection):
    at = app(document="memo-1975")
    at.switch_page("app_pages/export.py").run()
    no_errors(at)
    keys = [d.key for d in at.get("download_button")]
    assert {"export_txt", "export_json", "export_alto"} <= set(keys)
    assert "C0NFIDENTIAL" in at.text_area(key="export_text").value


@pytest.fixture
def team_mode(tmp_path, monkeypatch):
    import bcrypt

    hashed = bcrypt.hashpw(b"s3cret", bcrypt.gensalt(rounds=4)).decode()
    path = tmp_path / "credentials.yaml"
    path.write_text(
        "credentials:\n  usernames:\n    ann:\n      name: Ann Archivist\n      email: ann@example.org\n"
        f"      password: '{hashed}'\n"
        "cookie:\n  name: wb_test\n  key: 'a-test-cookie-secret-key-of-32-characters'\n  expiry_days: 1\n"
    )
    monkeypatch.setenv("WORKBENCH_AUTH", "team")
    monkeypatch.setenv("WORKBENCH_CREDENTIALS", str(path))


def sign_in(at: AppTest, username: str, password: str) -> AppTest:
    fields = {t.label: t for t in at.text_input}
    fields["Username"].input(username)
    fields["Password"].input(password)
    return at.button[0].click().run()


def test_team_mode_signs_reviewers_in_and_decides_as_themselves(ui_collection, team_mode):
    at = app(document="memo-1975")
    no_errors(at)
    assert not at.session_state["reviewer"]
    assert not at.title  # no page before signing in
    sign_in(at, "ann", "wrong")
    assert any("wrong" in e.value for e in at.error)
    sign_in(at, "ann", "s3cret")
    no_errors(at)
    assert at.session_state["reviewer"] == "ann"
    at.switch_page("app_pages/review.py").run()
    no_errors(at)
    assert "reviewer_name" not in [t.key for t in at.text_input]  # nobody types a name in team mode
    state = current_flag(at)
    at.button(key="review_keep").click().run()
    assert store_decisions("memo-1975")[state.key].reviewer == "ann"


@pytest.mark.tesseract
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
def test_run_ocr_button_reads_the_pages_with_a_progress_bar(ui_collection, monkeypatch):
    monkeypatch.setenv("OMP_THREAD_LIMIT", "1")
    monkeypatch.setenv("WORKBENCH_JOBS", "1")
    shutil.rmtree(ui_collection.ocr_dir("notes"))
    at = app(document="notes")
    assert at.dataframe[1].value["OCR"].tolist() == ["no"]
    at.button(key="run_ocr").click().run(timeout=120)
    no_errors(at)
    assert any(s.value.startswith("OCR of notes: 1 page(s) read") for s in at.success)
    assert at.get("progress")[0].proto.value == 100
    assert (ui_collection.ocr_dir("notes") / "page-001.txt").exists()
    assert at.dataframe[1].value["OCR"].tolist() == ["yes"]


def test_page_status_is_set_on_review_and_shown_on_documents(ui_collection):
    at = open_review()
    at.selectbox(key="review_page_status").select("in_review")
    at.button(key="review_set_page_status").click().run()
    no_errors(at)
    assert "Page 1 is now in review." in [s.value for s in at.success]
    at.switch_page("app_pages/documents.py").run()
    pages = at.dataframe[1].value
    assert pages["status"].tolist() == ["in review", "not reviewed"]
    assert pages["open flags"].iloc[0] > 0 and pages["CER"].iloc[0] > 0


def test_review_and_compare_explain_a_document_without_ocr(ui_collection):
    shutil.rmtree(ui_collection.ocr_dir("notes"))
    for page in ("review", "compare", "export"):
        at = app(document="notes", reviewer="ann")
        at.switch_page(f"app_pages/{page}.py").run()
        no_errors(at)
        assert any("OCR" in m.value for m in [*at.info, *at.warning]), page


@pytest.mark.parametrize(
    ("auth", "credentials", "message"),
    [("team", "missing.yaml", "team mode needs a credentials file"), ("open", "", "expected 'local' or 'team'")],
)
def test_a_bad_review_setting_is_one_line_and_no_page(ui_collection, monkeypatch, tmp_path, auth, credentials, message):
    monkeypatch.setenv("WORKBENCH_AUTH", auth)
    monkeypatch.setenv("WORKBENCH_CREDENTIALS", str(tmp_path / credentials) if credentials else "")
    at = app()
    assert not at.exception
    assert any(message in e.value for e in at.error)
    assert not at.title


@pytest.mark.parametrize("page", ["compare", "review", "reports", "export"])
def test_pages_of_an_empty_collection_ask_for_a_document(tmp_collection, page):
    at = app(reviewer="Ann")
    at.switch_page(f"app_pages/{page}.py").run()
    no_errors(at)
    assert [i.value for i in at.main.info] == [
        "No document chosen: pick one in the sidebar, or add one on the Documents page."
    ]
