"""Checks on uploaded media evidence: a short list of formats, recognised by their content.

The name's extension and the first bytes must both say the same allowed format, so
a page of HTML or a script renamed to .jpg is refused. The list is closed on
purpose: each format here is one a browser shows as media, never as a page.
"""

import os
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible


@dataclass(frozen=True)
class Format:
    label: str
    mime: str
    kind: str
    extensions: tuple


JPEG = Format("a JPEG image", "image/jpeg", "photo", (".jpg", ".jpeg"))
PNG = Format("a PNG image", "image/png", "photo", (".png",))
WEBP = Format("a WebP image", "image/webp", "photo", (".webp",))
MP4 = Format("an MP4 video", "video/mp4", "video", (".mp4", ".m4v"))
WEBM = Format("a WebM video", "video/webm", "video", (".webm",))
MP3 = Format("an MP3 recording", "audio/mpeg", "audio", (".mp3",))
OGG = Format("an Ogg recording", "audio/ogg", "audio", (".ogg", ".oga"))
WAV = Format("a WAV recording", "audio/wav", "audio", (".wav",))
PDF = Format("a PDF document", "application/pdf", "document", (".pdf",))
FORMATS = (JPEG, PNG, WEBP, MP4, WEBM, MP3, OGG, WAV, PDF)
EXTENSIONS = tuple(ext for fmt in FORMATS for ext in fmt.extensions)
MIME_TYPES = {fmt.mime for fmt in FORMATS}


def sniff(head):
    """The allowed format the first bytes of a file belong to, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head[4:8] == b"ftyp":
        return MP4
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head[:64]:
        return WEBM
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return MP3
    if head.startswith(b"OggS"):
        return OGG
    if head.startswith(b"%PDF-"):
        return PDF
    return None


def _mb(size):
    return f"{size / (1024 * 1024):g} MB"


@deconstructible
class EvidenceFileValidator:
    """Refuses files too large, with a name outside the list, or whose content is not theirs."""

    def __call__(self, file):
        if getattr(file, "_committed", False):  # stored earlier and checked then
            return
        limit = settings.MEDIA_MAX_BYTES
        if file.size is not None and file.size > limit:
            raise ValidationError(
                f"The file is larger than {_mb(limit)} (MEDIA_MAX_BYTES).", code="too_large"
            )
        extension = os.path.splitext(file.name or "")[1].lower()
        if extension not in EXTENSIONS:
            raise ValidationError(
                f"Files ending in “{extension or 'nothing'}” are not accepted: upload "
                + ", ".join(EXTENSIONS)
                + ".",
                code="extension",
            )
        file.seek(0)
        found = sniff(file.read(64))
        file.seek(0)
        if found is None:
            raise ValidationError(
                "The file's content is not any accepted format (JPEG, PNG, WebP, MP4, WebM, "
                "MP3, Ogg, WAV, PDF), whatever its name says.",
                code="content",
            )
        if extension not in found.extensions:
            raise ValidationError(
                f"The file's content is {found.label}, but its name ends in “{extension}”.",
                code="mismatch",
            )

    def __eq__(self, other):
        return isinstance(other, EvidenceFileValidator)


validate_evidence_file = EvidenceFileValidator()
