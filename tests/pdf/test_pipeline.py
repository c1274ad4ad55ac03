"""The PDF pipeline: tagged A4 with title and language, embedded fonts, and a fetcher that
serves only the app's static files."""

import segno

from app.pdf import render
from app.pdf.fetcher import BASE_URL, StaticFilesOnly
from tests.pdf.helpers import metadata, page_texts, plain, qr_codes, reader, render_page

A4_POINTS = (595, 842)


def document(body: str, *, language: str = "nl", title: str = "Proef") -> str:
    direction = "rtl" if language == "ar" else "ltr"
    return (
        f'<!doctype html><html lang="{language}" dir="{direction}"><head><meta charset="utf-8">'
        f'<title>{title}</title><link rel="stylesheet" href="static/css/print.css"></head>'
        f"<body>{body}</body></html>"
    )


def test_a_tagged_a4_document_with_its_title_and_language() -> None:
    pdf = render.html_to_pdf(document("<h1>Kloosstraat</h1><p>Een plan.</p>", title="Plan"))
    size = reader(pdf).pages[0].mediabox
    assert (round(float(size.width)), round(float(size.height))) == A4_POINTS
    assert metadata(pdf) == {"title": "Plan", "lang": "nl", "tagged": "True"}
    assert "Kloosstraat" in page_texts(pdf)[0]


def test_fonts_cover_latin_cyrillic_and_arabic_and_are_embedded() -> None:
    texts = ["Zwijndrecht ëïé", "Ласкаво просимо", "مرحبا بكم في الحي", "Hoş geldiniz"]
    pdf = render.html_to_pdf(document("".join(f"<p>{t}</p>" for t in texts), language="ar"))
    extracted = plain(page_texts(pdf)[0])
    for text in texts:
        # Arabic comes out in visual or logical order depending on the reader: accept both.
        assert plain(text) in extracted or plain(text)[::-1] in extracted, text
    fonts = set()
    for page in reader(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if "/DescendantFonts" in font:  # a composite (Type0) font: the real one is inside
                font = font["/DescendantFonts"][0].get_object()
            descriptor = font["/FontDescriptor"].get_object()
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts.add(str(font["/BaseFont"]).split("+")[-1])
    assert any("Arabic" in name for name in fonts), fonts
    assert any(name.startswith(("Noto-Sans", "NotoSans", "DejaVu")) for name in fonts), fonts


def test_the_fetcher_serves_static_files_and_refuses_everything_else() -> None:
    fetcher = StaticFilesOnly()
    css = fetcher.fetch(BASE_URL + "static/css/print.css")
    assert b"@page" in css.read()
    refused = [
        "file:///etc/passwd",
        "http://example.org/logo.png",
        "https://buurtscan.invalid/static/../pyproject.toml",
        "https://buurtscan.invalid/static/%2e%2e/pyproject.toml",
        "https://buurtscan.invalid/staff/audit",
        "https://buurtscan.invalid/static/css/missing.css",
        "ftp://example.org/x",
    ]
    for url in refused:
        try:
            fetcher.fetch(url)
        except ValueError:
            pass
        else:
            raise AssertionError(f"fetched {url}")
    assert fetcher.refused == refused


def test_a_document_that_points_outside_renders_without_fetching() -> None:
    fetcher = StaticFilesOnly()
    body = (
        '<p>Tekst</p><img src="http://127.0.0.1:9/tracker.png" alt="">'
        '<img src="file:///etc/hostname" alt=""><link rel="stylesheet" href="https://cdn.example/x.css">'
    )
    pdf = render.html_to_pdf(document(body), fetcher)
    assert "Tekst" in page_texts(pdf)[0]
    assert set(fetcher.refused) == {
        "http://127.0.0.1:9/tracker.png",
        "file:///etc/hostname",
        "https://cdn.example/x.css",
    }


def test_a_vector_qr_code_decodes_to_its_url() -> None:
    url = "https://buurtscan.example/s/kloosstraat"
    svg = segno.make(url, error="m").svg_inline(scale=4)
    pdf = render.html_to_pdf(document(f'<div style="width:50mm">{svg}</div>'))
    assert qr_codes(render_page(pdf, 0, scale=3)) == [url]
