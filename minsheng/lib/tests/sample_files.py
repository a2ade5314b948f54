"""Small real files for upload tests: what a phone, a scanner or an attacker would send.

The upload rule (`minsheng.lib.uploads`) reads the content, so tests send real JPEGs, PNGs
and PDFs, not a few bytes with a hopeful name.
"""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

# Where the photo was taken (GPS IFD) and with what: what re-encoding must remove.
GPS_IFD = 0x8825
CAMERA_MAKE = 0x010F


def jpeg_bytes(*, gps: bool = False, size: tuple[int, int] = (64, 48)) -> bytes:
    """A JPEG photo; with `gps`, EXIF naming the camera and where it was taken."""
    image = Image.new("RGB", size, (200, 80, 40))
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[CAMERA_MAKE] = "PhoneMaker"
        exif.get_ifd(GPS_IFD).update(
            {1: "N", 2: (31.0, 13.0, 50.0), 3: "E", 4: (121.0, 28.0, 20.0)}
        )
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, "JPEG")
    return out.getvalue()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (0, 120, 200)).save(out, "PNG")
    return out.getvalue()


PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
# The start of a Windows executable (PE): "MZ", the DOS stub, "PE\0\0" further on.
PE_BYTES = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 46 + b"\x80\x00\x00\x00"
)
PE_BYTES += b"\x00" * (0x80 - len(PE_BYTES)) + b"PE\x00\x00" + b"\x00" * 200
HTML_BYTES = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def docx_bomb_bytes(*, unpacked_mb: int = 300) -> bytes:
    """A zip that looks like a Word document and unpacks to `unpacked_mb` MB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(unpacked_mb):
                member.write(chunk)
    return out.getvalue()


def docx_bytes() -> bytes:
    """A small (structurally) Word document."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document>情况说明</w:document>")
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def photo(name: str = "photo.jpg", *, gps: bool = False):
    return upload(name, jpeg_bytes(gps=gps), "image/jpeg")


def pdf(name: str = "scan.pdf"):
    return upload(name, PDF_BYTES, "application/pdf")
