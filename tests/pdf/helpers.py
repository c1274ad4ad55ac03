"""Opening generated PDFs as a reader would: pages, text, rendered pixels, QR codes."""

import io
import unicodedata

import pypdf
import pypdfium2
import zxingcpp
from PIL import Image


def reader(pdf: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    """The text of every page, NFKC-normalised (Arabic presentation forms become letters)."""
    return [unicodedata.normalize("NFKC", page.extract_text() or "") for page in reader(pdf).pages]


def plain(text: str) -> str:
    """Text without spaces, line breaks or Arabic joining controls, for robust comparisons."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if not ch.isspace())


def render_page(pdf: bytes, index: int = 0, *, scale: float = 2.0) -> Image.Image:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return document[index].render(scale=scale).to_pil()
    finally:
        document.close()


def qr_codes(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


def metadata(pdf: bytes) -> dict[str, str]:
    """The document's title and language as a PDF reader sees them."""
    document = reader(pdf)
    root = document.trailer["/Root"]
    info = document.metadata or {}
    return {
        "title": str(info.get("/Title", "")),
        "lang": str(root.get("/Lang", "")),
        "tagged": str(root.get("/MarkInfo", {}).get("/Marked", "")),
    }
