"""IIIF: `add DOC --iiif MANIFEST` (Presentation 2 and 3, a file or an http URL) takes the canvases' images at
the size asked for and records the canvas ids; `export --format iiif-annotations` puts the corrected lines
on those canvases as W3C Web Annotations. The manifests and images are served by an HTTP server on the
loopback address that the test starts and stops."""

from __future__ import annotations

import functools
import json
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

from workbench.cli import main
from workbench.corpus import Collection
from workbench.errors import InputError
from workbench.iiif import image_url, parse_manifest
from workbench.images import image_size
from workbench.store import open_store
from workbench.transcript import correct_line

IMAGE = (400, 300)  # what the server gives at size "400,"
CANVAS = (4000, 3000)  # the canvas is ten times the image taken


@pytest.fixture
def server(tmp_path):
    """An HTTP server on 127.0.0.1 serving tmp_path/site; yields (base URL, site folder, paths requested)."""
    site = tmp_path / "site"
    site.mkdir()
    requested: list[str] = []

    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, format, *args):
            requested.append(self.path)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", site, requested
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)
    assert not thread.is_alive()


def _image(path, shade: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("L", IMAGE, shade).save(path)


def _v3_manifest(base: str, site) -> str:
    """Canvas 1 with an Image API 3 service, canvas 2 with a plain image file only."""
    _image(site / "iiif3" / "p1" / "full" / "400," / "0" / "default.jpg", 250)
    _image(site / "static" / "p2.png", 240)
    canvases = [
        {
            "id": f"{base}/canvas/1", "type": "Canvas", "width": CANVAS[0], "height": CANVAS[1],
            "items": [{"id": f"{base}/page/1", "type": "AnnotationPage", "items": [{
                "id": f"{base}/anno/1", "type": "Annotation", "motivation": "painting", "target": f"{base}/canvas/1",
                "body": {"id": f"{base}/iiif3/p1/full/max/0/default.jpg", "type": "Image", "format": "image/jpeg",
                         "service": [{"id": f"{base}/iiif3/p1", "type": "ImageService3", "profile": "level1"}]},
            }]}],
        },
        {
            "id": f"{base}/canvas/2", "type": "Canvas", "width": 400, "height": 300,
            "items": [{"id": f"{base}/page/2", "type": "AnnotationPage", "items": [{
                "id": f"{base}/anno/2", "type": "Annotation", "motivation": "painting", "target": f"{base}/canvas/2",
                "body": {"id": f"{base}/static/p2.png", "type": "Image", "format": "image/png"},
            }]}],
        },
    ]
    manifest = {"@context": "http://iiif.io/api/presentation/3/context.json", "id": f"{base}/m3.json",
                "type": "Manifest", "label": {"de": ["Ein Brief"]}, "items": canvases}
    (site / "m3.json").write_text(json.dumps(manifest))
    return f"{base}/m3.json"


def _v2_manifest(base: str, site) -> str:
    canvases = []
    for number in (1, 2):
        _image(site / "iiif2" / f"p{number}" / "full" / "400," / "0" / "default.jpg", 230 + number)
        canvases.append({
            "@id": f"{base}/v2/canvas/{number}", "@type": "sc:Canvas", "width": CANVAS[0], "height": CANVAS[1],
            "images": [{"@type": "oa:Annotation", "motivation": "sc:painting", "on": f"{base}/v2/canvas/{number}",
                        "resource": {"@id": f"{base}/iiif2/p{number}/full/full/0/default.jpg", "@type": "dctypes:Image",
                                     "service": {"@context": "http://iiif.io/api/image/2/context.json",
                                                 "@id": f"{base}/iiif2/p{number}",
                                                 "profile": "http://iiif.io/api/image/2/level1.json"}}}],
        })
    manifest = {"@context": "http://iiif.io/api/presentation/2/context.json", "@id": f"{base}/m2.json",
                "@type": "sc:Manifest", "label": "A letter", "sequences": [{"@type": "sc:Sequence",
                                                                            "canvases": canvases}]}
    (site / "m2.json").write_text(json.dumps(manifest))
    return f"{base}/m2.json"


HOCR = """<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>p</title></head><body>
<div class="ocr_page" title="bbox 0 0 400 300"><p class="ocr_par">
<span class="ocr_line" title="bbox 20 30 220 50"><span class="ocrx_word" title="bbox 20 30 100 50">Dear</span>
<span class="ocrx_word" title="bbox 110 30 220 50">Sir,</span></span>
<span class="ocr_line" title="bbox 20 60 380 80"><span class="ocrx_word" title="bbox 20 60 200 80">{word}</span>
<span class="ocrx_word" title="bbox 210 60 380 80">arrived.</span></span>
</p></div></body></html>
"""


def _hocr(tmp_path, number: int, word: str):
    path = tmp_path / f"p{number}.hocr"
    path.write_text(HOCR.format(word=word))
    return path


def test_a_v3_manifest_over_http_gives_pages_canvases_and_annotations(tmp_collection, server, tmp_path, capsys):
    base, site, requested = server
    manifest = _v3_manifest(base, site)
    ocr = [str(_hocr(tmp_path, 1, "shipmcnt")), str(_hocr(tmp_path, 2, "books"))]
    code = main(["add", "brief", "--iiif", manifest, "--iiif-size", "400", "--title", "Ein Brief", "--ocr", *ocr])
    assert code == 0, capsys.readouterr().err
    assert "added brief: 2 page(s) (IIIF images, OCR)" in capsys.readouterr().out
    assert requested == ["/m3.json", "/iiif3/p1/full/400,/0/default.jpg", "/static/p2.png"]  # only loopback
    document = Collection.default().document("brief")
    assert [image_size(p.scan) for p in document.pages] == [IMAGE, IMAGE]
    record = json.loads((tmp_collection.document_dir("brief") / "iiif.json").read_text())
    assert [p["canvas"] for p in record["pages"]] == [f"{base}/canvas/1", f"{base}/canvas/2"]

    store = open_store()
    correct_line(tmp_collection, store, "brief", 1, 2, "shipment arrived.", reviewer="ann")
    out = tmp_path / "brief.annotations.json"
    assert main(["export", "brief", "--format", "iiif-annotations", "--out", str(out)]) == 0
    page = json.loads(out.read_text())
    assert page["type"] == "AnnotationPage" and page["@context"] == "http://iiif.io/api/presentation/3/context.json"
    targets = {(a["target"], a["body"]["value"]) for a in page["items"]}
    assert targets == {
        (f"{base}/canvas/1#xywh=200,300,2000,200", "Dear Sir,"),  # image pixels times ten on the canvas
        (f"{base}/canvas/1#xywh=200,600,3600,200", "shipment arrived."),  # the reviewer's line
        (f"{base}/canvas/2#xywh=20,30,200,20", "Dear Sir,"),  # a canvas the size of its image
        (f"{base}/canvas/2#xywh=20,60,360,20", "books arrived."),
    }
    assert all(a["motivation"] == "supplementing" and a["body"]["type"] == "TextualBody" for a in page["items"])
    assert len({a["id"] for a in page["items"]}) == 4


def test_a_v2_manifest_from_a_file_takes_its_images_through_the_image_service(tmp_collection, server, capsys):
    base, site, requested = server
    manifest = _v2_manifest(base, site)
    path = site / "m2.json"
    assert main(["add", "letter", "--iiif", str(path), "--iiif-size", "400,", "--title", "A letter"]) == 0
    assert requested == [f"/iiif2/p{n}/full/400,/0/default.jpg" for n in (1, 2)]
    record = json.loads((tmp_collection.document_dir("letter") / "iiif.json").read_text())
    assert record["version"] == 2 and record["manifest_id"] == manifest
    assert [p["canvas_size"] for p in record["pages"]] == [list(CANVAS)] * 2
    assert [p["image_size"] for p in record["pages"]] == [list(IMAGE)] * 2
    assert main(["export", "letter", "--format", "iiif-annotations"]) == 2  # no OCR yet: one line, exit 2
    assert capsys.readouterr().err.count("\n") == 1


def test_bad_manifests_and_sources_are_one_line_and_leave_no_document(tmp_collection, server, tmp_path, capsys):
    base, site, _ = server
    (site / "other.json").write_text(json.dumps({"hello": "world"}))
    for source, message in (
        (f"{base}/missing.json", "HTTP 404"),
        (f"{base}/other.json", "not a IIIF Presentation 2 or 3 manifest"),
        ("ftp://127.0.0.1/m.json", "file or an http(s) URL only"),
        (str(tmp_path / "nowhere.json"), "cannot read the IIIF manifest"),
    ):
        assert main(["add", "x", "--iiif", source, "--title", "X"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and message in err, err
    assert not tmp_collection.document_dir("x").exists()
    assert main(["add", "x", "--iiif", f"{base}/m.json", "--iiif-size", "huge", "--title", "X"]) == 2
    assert "--iiif-size 'huge'" in capsys.readouterr().err


def test_an_annotation_export_needs_a_document_added_from_iiif(tmp_collection):
    from tests.test_transcript_lines import DOC

    with pytest.raises(InputError, match="not added from a IIIF manifest"):
        from workbench.iiif import load_canvases

        load_canvases(tmp_collection, DOC)


def test_image_urls_follow_the_service_version():
    manifest = parse_manifest(
        {"@context": "http://iiif.io/api/presentation/2/context.json", "@type": "sc:Manifest", "@id": "m",
         "sequences": [{"canvases": [{"@id": "c1", "images": [{"resource": {"@id": "i.jpg", "service": {
             "@id": "https://images.example/iiif/p1/", "profile": "http://iiif.io/api/image/2/level2.json"}}}]}]}]},
        source="m",
    )
    (canvas,) = manifest.canvases
    assert image_url(canvas, "max") == "https://images.example/iiif/p1/full/full/0/default.jpg"
    assert image_url(canvas, "1500") == "https://images.example/iiif/p1/full/1500,/0/default.jpg"


def test_a_v3_painting_body_given_as_a_choice_or_a_list_is_read():
    image = {"id": "https://example.org/p1.jpg", "type": "Image"}
    for body in ({"type": "Choice", "items": [image, {"id": "https://example.org/p1-uv.jpg"}]}, [image]):
        canvas = {"id": "c1", "type": "Canvas", "items": [{"items": [{"motivation": "painting", "body": body}]}]}
        manifest = parse_manifest({"type": "Manifest", "id": "m", "items": [canvas]}, source="m")
        assert [c.image for c in manifest.canvases] == ["https://example.org/p1.jpg"]


def test_a_canvas_whose_image_has_two_pages_refuses_the_whole_document(tmp_collection, server, capsys):
    base, site, _ = server
    url = _v3_manifest(base, site)
    manifest = json.loads((site / "m3.json").read_text())
    body = manifest["items"][1]["items"][0]["items"][0]["body"]
    body["id"], body["format"] = f"{base}/static/p2.tif", "image/tiff"
    frames = [Image.new("L", IMAGE, 200), Image.new("L", IMAGE, 100)]
    frames[0].save(site / "static" / "p2.tif", save_all=True, append_images=frames[1:])
    (site / "m3.json").write_text(json.dumps(manifest))

    assert main(["add", "letter", "--title", "A letter", "--iiif", url, "--iiif-size", "400,"]) == 2
    message = capsys.readouterr().err.strip()
    assert "2 canvases gave 3 pages" in message and len(message.splitlines()) == 1
    assert not tmp_collection.document_dir("letter").exists()  # neither the document nor its canvas record
    assert not tmp_collection.ocr_dir("letter").exists()
    assert [p.name for p in tmp_collection.scans.iterdir() if p.name.startswith(".")] == []  # nothing staged left
