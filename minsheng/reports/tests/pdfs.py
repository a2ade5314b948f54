"""Reading the PDFs the tests make: their text page by page (pypdf), the fonts they embed,
and a page rendered to PNG among the test artifacts (pypdfium2) for a person to look at."""

import io
import shutil
import subprocess
from pathlib import Path

import pypdf
import pypdfium2
import pytest

SCREENSHOTS = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots"


def _has_noto_cjk() -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    found = subprocess.run(  # noqa: S603 - a fixed command
        [fc_list, ":lang=zh-cn", "family"], capture_output=True, text=True, check=False
    )
    return "Noto Sans CJK SC" in found.stdout


HAS_NOTO_CJK = _has_noto_cjk()
needs_noto_cjk = pytest.mark.skipif(
    not HAS_NOTO_CJK, reason="fonts-noto-cjk is not installed (make test installs it as root)"
)


def pages_text(content: bytes) -> list[str]:
    """The text of each page, as a PDF reader extracts it."""
    reader = pypdf.PdfReader(io.BytesIO(content))
    return [page.extract_text() for page in reader.pages]


def fonts(content: bytes) -> set[str]:
    """The names of the fonts the PDF embeds (subset prefixes removed)."""
    reader = pypdf.PdfReader(io.BytesIO(content))
    found = set()
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            name = str(font.get_object().get("/BaseFont", ""))
            found.add(name.split("+", 1)[-1].lstrip("/"))
    return found


def assert_set_in_noto_cjk(content: bytes) -> None:
    """Every font the PDF embeds is a Noto CJK face: no character fell back to another font
    (or to a box), and the Latin text is set in the same face."""
    embedded = fonts(content)
    assert embedded
    assert all(name.startswith(("Noto-Sans-CJK-SC", "Noto-Serif-CJK-SC")) for name in embedded), (
        embedded
    )


def png_save(content: bytes, name: str, *, page: int = 0) -> Path:
    """Render one page at 2× (about 150 dpi) to artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    document = pypdfium2.PdfDocument(content)
    try:
        document[page].render(scale=2).to_pil().save(path)
    finally:
        document.close()
    return path
