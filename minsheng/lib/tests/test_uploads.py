"""The upload rule: what content is accepted, what is stored, whatever the name claims."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from minsheng.lib import uploads
from minsheng.lib.tests.sample_files import (
    GPS_IFD,
    HTML_BYTES,
    PDF_BYTES,
    PE_BYTES,
    docx_bomb_bytes,
    docx_bytes,
    jpeg_bytes,
    photo,
    upload,
)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("holiday.jpg", PE_BYTES, "programs"),
        ("notice.pdf", HTML_BYTES, "not accepted"),
        ("logo.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "not accepted"),
        ("notes.txt", b"#!/bin/sh\nrm -rf /\n", "programs"),
        ("readme.txt", b"\x7fELF\x02\x01\x01" + b"\x00" * 64, "programs"),
        ("page.html", b"just words", "programs"),
        ("report.docx", docx_bomb_bytes(unpacked_mb=300), "zip bomb"),
        ("photos.zip", b"PK\x03\x04" + b"\x00" * 40, "damaged"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_dangerous_content_is_refused_whatever_its_name(english, name, content, reason):
    with pytest.raises(ValidationError) as refused:
        uploads.uploads_check([upload(name, content)])
    (message,) = refused.value.messages
    assert message.startswith(f"{name} was refused")
    assert reason in message


def test_documents_photos_text_and_recordings_are_accepted_by_content(settings):
    accepted = [
        photo("现场照片.jpg"),
        upload("scan.pdf", PDF_BYTES),
        upload("情况说明.docx", docx_bytes()),
        upload("来电记录.txt", "投诉人反映噪音扰民。".encode()),
        upload("recording.mp3", b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 200),
    ]
    assert uploads.uploads_check(accepted) == accepted
    types = [uploads.upload_prepare(f).content_type for f in accepted]
    assert types == [
        "image/jpeg",
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "text/plain",
        "audio/mpeg",
    ]
    settings.UPLOAD_MAX_FILES = 2
    with pytest.raises(ValidationError):
        uploads.uploads_check(accepted)


def test_size_limit(english, settings):
    settings.UPLOAD_MAX_FILE_BYTES = 1024
    with pytest.raises(ValidationError, match="larger than"):
        uploads.uploads_check([upload("big.txt", b"x" * 2000)])


def test_a_photo_is_stored_without_its_location_and_camera():
    original = Image.open(io.BytesIO(jpeg_bytes(gps=True)))
    assert original.getexif().get_ifd(GPS_IFD), "the sample does carry a location"

    prepared = uploads.upload_prepare(photo("IMG_0001.jpg", gps=True))

    stored = Image.open(io.BytesIO(prepared.content.read()))
    assert stored.format == "JPEG"
    assert stored.size == original.size
    assert not stored.getexif()
    assert "exif" not in stored.info


def test_the_stored_name_is_safe_and_matches_the_content():
    assert uploads.safe_name("../../etc/passwd") == "passwd"
    assert uploads.safe_name("C:\\Users\\李娜\\投诉材料.pdf") == "投诉材料.pdf"
    assert uploads.safe_name("evil\u202egpj.exe") == "evilgpj.exe", "no right-to-left trick"
    assert uploads.safe_name("a\x00b\r\nc.txt") == "ab c.txt"
    assert uploads.safe_name("...") == "file"
    long = uploads.safe_name("很长的名字" * 50 + ".pdf")
    assert len(long) == uploads.MAX_NAME_CHARS
    assert long.endswith(".pdf")
    # A PDF sent as a photo is stored as what it is.
    assert uploads.upload_prepare(upload("scan.jpg", PDF_BYTES)).name == "scan.pdf"
