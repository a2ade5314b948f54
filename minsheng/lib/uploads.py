"""Files people upload: what is accepted, how it is stored, how it is served back.

Every upload path (the portal, the workbench, the REST API, supervision notice answers,
e-mail intake) goes through this one module:

- `uploads_check(files)`: the count, the size, and the type as the *content* says it
  (libmagic through python-magic; the name the browser sends decides nothing). Allowed:
  images, PDF, office documents, plain text, audio (hotline recordings). Refused:
  executables, scripts, HTML, SVG, archives, and office files whose zip would unpack to
  more than `UPLOAD_MAX_UNZIPPED_BYTES` or at a suspicious ratio (a zip bomb), or that
  hold macros. Raises `ValidationError` with one message per refused file.
- `upload_prepare(upload)`: what is actually stored: a sanitised name (no path parts, no
  control characters, at most 100 characters, Chinese kept) whose extension matches the
  content, the detected content type, and for JPEG/PNG/WebP/GIF the image re-encoded
  with Pillow without EXIF, GPS, XMP or text chunks (the orientation applied first).
- `file_response(file, name, content_type)`: the only way a stored file goes back out:
  always a download (`Content-Disposition: attachment`) with `X-Content-Type-Options:
  nosniff`, so no uploaded file is ever rendered by the browser as a page of this site.

Files live in the storage under MEDIA_ROOT, which no URL route serves: they are reached
only through views that ask the access rule first.
"""

import io
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

import magic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# Detected content type -> the extensions such a file may carry (the first is used when the
# name given has none of them).
ALLOWED_TYPES: dict[str, tuple[str, ...]] = {
    "image/jpeg": ("jpg", "jpeg"),
    "image/png": ("png",),
    "image/webp": ("webp",),
    "image/gif": ("gif",),
    "application/pdf": ("pdf",),
    "application/msword": ("doc",),
    "application/vnd.ms-excel": ("xls",),
    "application/vnd.ms-powerpoint": ("ppt",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ("pptx",),
    "application/vnd.oasis.opendocument.text": ("odt",),
    "application/vnd.oasis.opendocument.spreadsheet": ("ods",),
    "application/vnd.oasis.opendocument.presentation": ("odp",),
    "text/plain": ("txt", "csv"),
    "text/csv": ("csv", "txt"),
    "audio/mpeg": ("mp3",),
    "audio/x-wav": ("wav",),
    "audio/wav": ("wav",),
    "audio/amr": ("amr",),
    "audio/ogg": ("ogg",),
    "audio/mp4": ("m4a",),
    "audio/x-m4a": ("m4a",),
    "audio/flac": ("flac",),
    "audio/x-flac": ("flac",),
}
# Legacy office files are OLE compound documents; libmagic names them in several ways.
OLE_TYPES = frozenset({"application/x-ole-storage", "application/CDFV2", "application/CDF"})
OLE_EXTENSIONS = {"doc": "application/msword", "xls": "application/vnd.ms-excel"}
OLE_EXTENSIONS["ppt"] = "application/vnd.ms-powerpoint"
# The part of a zip that says which office format it is.
ZIP_OFFICE_MARKERS = (
    ("word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
)
# A zip member this much larger than its compressed bytes is a bomb, not a document.
MAX_ZIP_RATIO = 200
MAX_ZIP_MEMBERS = 10_000
REENCODED_IMAGES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
REENCODED_IMAGES["image/gif"] = "GIF"
# Refused whatever the content looks like: programs and scripts by their first bytes (a
# two-byte "MZ" reads as text to libmagic), and names that a desktop would run or a browser
# would render.
PROGRAM_STARTS = (b"MZ", b"\x7fELF", b"#!", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe")
PROGRAM_EXTENSIONS = frozenset(
    [
        "exe",
        "dll",
        "com",
        "scr",
        "msi",
        "bat",
        "cmd",
        "ps1",
        "vbs",
        "vbe",
        "js",
        "jse",
        "wsf",
        "hta",
        "jar",
        "apk",
        "sh",
        "bash",
        "php",
        "py",
        "pl",
        "rb",
        "html",
        "htm",
        "xhtml",
        "shtml",
        "svg",
        "svgz",
        "xml",
        "mht",
        "mhtml",
        "swf",
        "lnk",
        "reg",
    ]
)
MAX_NAME_CHARS = 100
SNIFF_BYTES = 64 * 1024
# Stored bytes are served as this when the detected type is missing (old rows).
FALLBACK_TYPE = "application/octet-stream"


class Refused(Exception):
    """The content of an upload is not one we accept; the message says why, for people."""


@dataclass(frozen=True)
class Prepared:
    """An accepted upload as it is stored: clean name, detected type, final bytes."""

    name: str
    content_type: str
    content: File
    size: int


def allowed_extensions() -> list[str]:
    """The extensions of the accepted types, for help texts and the file picker's hint."""
    seen: dict[str, None] = {}
    for extensions in ALLOWED_TYPES.values():
        seen.update(dict.fromkeys(extensions))
    return list(seen)


def safe_name(name: str) -> str:
    """A file name that is safe to store and to send back in a header.

    Drops any directory part (both separators), control and format characters (including
    the right-to-left override that disguises `exe.jpg`), leading dots and spaces; keeps
    Chinese and other printable characters as typed (pages escape them, the storage names
    the file itself); shortens to MAX_NAME_CHARS keeping the extension; "file" if nothing
    is left.
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(
        " " if char.isspace() else char
        for char in unicodedata.normalize("NFC", base)
        if unicodedata.category(char) not in {"Cc", "Cf", "Cs", "Co", "Cn"} or char.isspace()
    )
    kept = " ".join(kept.split()).lstrip(". ").rstrip(" ")
    if not kept:
        return "file"
    if len(kept) > MAX_NAME_CHARS:
        suffix = PurePath(kept).suffix[:12]
        kept = kept[: MAX_NAME_CHARS - len(suffix)].rstrip(" .") + suffix
    return kept


def _read_all(upload: UploadedFile | File) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data if isinstance(data, bytes) else data.encode()


def _zip_office_type(data: bytes) -> str:
    """The office type of a zip upload, after checking it is not a bomb; else Refused.

    Only the zip's directory is read (sizes as the archive states them; Python's zipfile
    stops reading a member at its stated size), never the members themselves, except the
    few bytes of an OpenDocument's `mimetype`."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            limit = settings.UPLOAD_MAX_UNZIPPED_BYTES
            unpacked = sum(member.file_size for member in members)
            too_packed = any(
                member.file_size > 1024 * 1024
                and member.file_size > MAX_ZIP_RATIO * max(member.compress_size, 1)
                for member in members
            )
            if len(members) > MAX_ZIP_MEMBERS or unpacked > limit or too_packed:
                raise Refused(_("it would unpack to far more than its size (a zip bomb)"))
            names = {member.filename: member for member in members}
            mimetype = ""
            if "mimetype" in names and names["mimetype"].file_size < 200:
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
    except (zipfile.BadZipFile, OSError, EOFError, KeyError, RuntimeError, ValueError) as exc:
        raise Refused(_("the archive is damaged")) from exc
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise Refused(_("office files with macros are not accepted"))
    if mimetype in ALLOWED_TYPES and mimetype.startswith("application/vnd.oasis"):
        return mimetype
    if "[Content_Types].xml" in names:
        for prefix, content_type in ZIP_OFFICE_MARKERS:
            if any(name.startswith(prefix) for name in names):
                return content_type
    raise Refused(_("archives are not accepted"))


def content_type_of(upload: UploadedFile | File, *, name: str = "") -> str:
    """The accepted content type of `upload` as its bytes say it, or Refused with why."""
    data = _read_all(upload)
    if not data:
        raise Refused(_("the file is empty"))
    extension = PurePath(name).suffix.lower().lstrip(".")
    if data.startswith(PROGRAM_STARTS) or extension in PROGRAM_EXTENSIONS:
        raise Refused(_("programs, scripts and web pages are not accepted"))
    detected = magic.from_buffer(data[:SNIFF_BYTES], mime=True)
    if data.startswith(b"PK\x03\x04") or detected == "application/zip":
        return _zip_office_type(data)
    if detected in OLE_TYPES or detected in OLE_EXTENSIONS.values():
        return OLE_EXTENSIONS.get(extension, "application/msword")
    if detected == "application/octet-stream" and _is_text(data[:SNIFF_BYTES]):
        detected = "text/plain"  # libmagic calls a very short text "data"
    if detected == "text/plain" and b"\x00" in data:
        raise Refused(_("this type of file is not accepted"))
    if detected not in ALLOWED_TYPES:
        raise Refused(_("this type of file is not accepted"))
    if detected in REENCODED_IMAGES:
        _check_image(data)
    return str(detected)


def _is_text(data: bytes) -> bool:
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return not any(unicodedata.category(c) == "Cc" and c not in "\t\r\n" for c in text)
    return False


def _check_image(data: bytes) -> None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            pixels = image.width * image.height
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise Refused(_("the image is damaged")) from exc
    except Image.DecompressionBombError as exc:
        raise Refused(_("the image is too large")) from exc
    if pixels > settings.UPLOAD_MAX_IMAGE_PIXELS:
        raise Refused(_("the image is too large"))


def uploads_check(files: list[UploadedFile]) -> list[UploadedFile]:
    """Check the count, each size and each content type; ValidationError lists every
    refused file with the reason. Returns the files unchanged when all are accepted."""
    max_files = settings.UPLOAD_MAX_FILES
    if len(files) > max_files:
        raise ValidationError(_("Send at most %(count)s files.") % {"count": max_files})
    max_bytes = settings.UPLOAD_MAX_FILE_BYTES
    errors: list[str] = []
    for upload in files:
        name = safe_name(upload.name or "")
        if (upload.size or 0) > max_bytes:
            errors.append(
                _("%(name)s is larger than %(size)s MB.")
                % {"name": name, "size": max_bytes // (1024 * 1024)}
            )
            continue
        try:
            content_type_of(upload, name=name)
        except Refused as exc:
            errors.append(_("%(name)s was refused: %(reason)s.") % {"name": name, "reason": exc})
    if errors:
        raise ValidationError(errors)
    return files


def _named(name: str, content_type: str) -> str:
    extensions = ALLOWED_TYPES.get(content_type, ())
    path = PurePath(name)
    if not extensions or path.suffix.lower().lstrip(".") in extensions:
        return name
    return safe_name(f"{path.stem or 'file'}.{extensions[0]}")


def _reencoded(data: bytes, content_type: str) -> bytes:
    """The image drawn again without any metadata: no EXIF (GPS, camera, time), no XMP,
    no PNG text chunks. The EXIF orientation is applied first, so the photo stays upright.
    The colour profile is kept (it says nothing about the person)."""
    with Image.open(io.BytesIO(data)) as image:
        image_format = REENCODED_IMAGES[content_type]
        icc = image.info.get("icc_profile")
        out = io.BytesIO()
        if image_format == "GIF":
            image.save(out, "GIF", save_all=True, optimize=False)
            return out.getvalue()
        upright = ImageOps.exif_transpose(image)
        options: dict[str, Any] = {"icc_profile": icc} if icc else {}
        if image_format == "JPEG":
            if upright.mode not in ("RGB", "L", "CMYK"):
                upright = upright.convert("RGB")
            options.update(quality=90)
        elif image_format == "WEBP":
            options.update(quality=90)
        upright.save(out, image_format, **options)
        return out.getvalue()


def upload_prepare(upload: UploadedFile) -> Prepared:
    """What to store for an upload (see the module docstring); a file not accepted is a
    ValidationError on `files`, as `uploads_check` words it (a file no form checked, from
    e-mail, is refused here).

    Steps: sanitise the name; decide the type by content (and check it); fix the extension
    to match; re-encode images without metadata."""
    name = safe_name(upload.name or "")
    try:
        content_type = content_type_of(upload, name=name)
    except Refused as exc:
        raise ValidationError(
            {"files": [_("%(name)s was refused: %(reason)s.") % {"name": name, "reason": exc}]}
        ) from exc
    name = _named(name, content_type)
    if content_type in REENCODED_IMAGES:
        data = _reencoded(_read_all(upload), content_type)
        return Prepared(name, content_type, ContentFile(data, name=name), len(data))
    upload.seek(0)
    return Prepared(name, content_type, upload, upload.size or 0)


def file_response(file: IO[bytes], *, name: str, content_type: str = "") -> FileResponse:
    """A stored file sent back as a download that no browser renders as a page."""
    response = FileResponse(
        file,
        as_attachment=True,
        filename=safe_name(name),
        content_type=content_type or FALLBACK_TYPE,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
