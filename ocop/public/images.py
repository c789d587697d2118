"""Public copies of product photos: re-encoded without metadata, at a phone-friendly width.

Uploaded photos keep whatever the camera wrote: EXIF with the GPS position of a household's
kitchen, the phone's serial number, XMP, comments. The public site never serves the uploaded
file; it serves a copy made once per photo and width (MEDIA_ROOT/public/images/<id>/…), turned
upright, scaled down and saved with no metadata (only the colour profile is kept).
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path

from django.core.files.storage import Storage
from PIL import Image, ImageOps

from ocop.registry.models import ProductImage

WIDTHS = (480, 1280)  # list thumbnails, product page (and og:image)
DIRECTORY = "public/images"
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
_PIL_FORMATS = {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}
_OPTIONS = {"JPEG": {"quality": 82, "optimize": True, "progressive": True}, "PNG": {"optimize": True},
            "WEBP": {"quality": 82, "method": 4}}  # fmt: skip


def name_for(image: ProductImage, width: int) -> str:
    # The stored file's name is part of the digest: a replaced file never serves a stale copy.
    digest = hashlib.sha256(image.image.name.encode()).hexdigest()[:12]
    return f"{DIRECTORY}/{image.pk}/{digest}-{width}.{image.format}"


def scaled_size(image: ProductImage, width: int) -> tuple[int, int]:
    """The size of the public copy (never enlarged), for width/height attributes and og:image."""
    if not image.width or not image.height or image.width <= width:
        return image.width, image.height
    return width, max(1, round(image.height * width / image.width))


def render(image: ProductImage, width: int) -> bytes:
    """The public copy's bytes: upright, at most ``width`` pixels wide, without metadata."""
    pil_format = _PIL_FORMATS[image.format]
    with image.image.open("rb") as handle, Image.open(handle) as original:
        icc_profile = original.info.get("icc_profile")
        transparency = original.info.get("transparency")
        picture = ImageOps.exif_transpose(original)
        picture.thumbnail((width, width * 4), Image.Resampling.LANCZOS)
        if pil_format == "JPEG" and picture.mode not in ("RGB", "L"):
            picture = picture.convert("RGB")
        # Nothing of the original's metadata may be written back (EXIF, XMP, comments, text chunks).
        picture.info = (
            {"transparency": transparency} if transparency is not None and pil_format == "PNG" else {}
        )
        options = dict(_OPTIONS[pil_format])
        if icc_profile:
            options["icc_profile"] = icc_profile
        output = io.BytesIO()
        picture.save(output, pil_format, **options)
    return output.getvalue()


def public_copy(image: ProductImage, width: int) -> tuple[str | None, bytes | None]:
    """(path on disk, None) once the copy exists; (None, bytes) when the storage has no local paths."""
    storage: Storage = image.image.storage
    name = name_for(image, width)
    try:
        path = Path(storage.path(name))
    except NotImplementedError:
        return None, render(image, width)
    if not path.exists():
        data = render(image, width)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside then renamed: a concurrent request never serves half a file.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o640)
        os.replace(temporary, path)
    return str(path), None


def remove_derivatives(image: ProductImage) -> None:
    """Delete the public copies of a deleted photo."""
    storage: Storage = image.image.storage
    for width in WIDTHS:
        name = name_for(image, width)
        try:
            if storage.exists(name):
                storage.delete(name)
        except (NotImplementedError, OSError):
            pass
