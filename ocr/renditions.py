"""What recognition reads when the received file is not a scan: a rendition of it.

The received file is kept byte for byte as the document's original; its rendition lives in the
worker's folder for the time of the job. Office documents, text files, web pages and e-mails
become a PDF/A with a text layer (LibreOffice): no OCR, their text is exact. Phone photos
(HEIC, WebP, or a JPEG from a camera) become the page found in them, straightened, as a JPEG
read like a scan. Scans and born-digital PDFs need none.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

from . import office, sniff
from .errors import CorruptInput, LimitExceeded
from .options import OcrOptions


@dataclass(frozen=True)
class Rendition:
    path: Path
    media_type: str


def render(source: Path, media_type: str, workdir: Path, options: OcrOptions) -> Rendition | None:
    """The file recognition should read instead of ``source``, or None to read ``source`` itself."""
    timeout = options.conversion_timeout_seconds
    if media_type in sniff.OFFICE:
        return Rendition(office.to_pdfa(source, media_type, workdir, timeout=timeout), sniff.PDF)
    if media_type in sniff.WEB or media_type in sniff.MAILS:
        page = workdir / "page.html"
        workdir.mkdir(parents=True, exist_ok=True)
        page.write_bytes(_as_page(source, media_type))
        return Rendition(office.to_pdfa(page, sniff.HTML, workdir, timeout=timeout), sniff.PDF)
    if media_type in sniff.PHOTOS or media_type == sniff.JPEG:
        return _photo(source, media_type, workdir, options)
    return None


def _decoded(source: Path, media_type: str, options: OcrOptions) -> Image.Image | None:
    """The picture upright (EXIF orientation applied), or None for a JPEG that a scanner made."""
    from . import photo

    Image.MAX_IMAGE_PIXELS = options.limits.max_page_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as opened:
                if media_type == sniff.JPEG and not photo.is_photo(opened):
                    return None
                if opened.width * opened.height > options.limits.max_page_pixels:
                    raise LimitExceeded(f"photo démesurée ({opened.width}×{opened.height} pixels, limite "
                                        f"{options.limits.max_page_pixels / 1e6:.0f} mégapixels)")
                image = ImageOps.exif_transpose(opened)
                image.load()
                return image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise LimitExceeded("photo démesurée : possible bombe de décompression") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise CorruptInput(f"photo illisible ou tronquée ({exc})") from exc


def _as_page(source: Path, media_type: str) -> bytes:
    from . import mail, webpage

    if media_type in sniff.MAILS:
        return mail.read(source, media_type).as_html()
    raw = source.read_bytes()
    if media_type == sniff.HTML:
        return webpage.page(source.stem, webpage.cleaned_body(raw))
    return webpage.page(source.stem, webpage.text_as_html(webpage.decode_text(raw)))


def _photo(source: Path, media_type: str, workdir: Path, options: OcrOptions) -> Rendition | None:
    """The page found in a photo and straightened; a HEIC or WebP picture with no page found is
    still given as a JPEG (the rest of recognition reads scans' formats only)."""
    from . import photo

    if media_type == sniff.HEIC:
        import pillow_heif

        pillow_heif.register_heif_opener()
    image = _decoded(source, media_type, options)
    if image is None:
        return None  # a scanner's JPEG: read as it is
    corners = photo.find_page(image)
    if corners is None and media_type == sniff.JPEG:
        return None
    if corners is not None:
        image = photo.straighten(image, corners)
    image, dpi = photo.at_reading_resolution(image)
    workdir.mkdir(parents=True, exist_ok=True)
    target = workdir / "photo.jpg"
    image.convert("RGB" if image.mode not in ("L", "RGB") else image.mode).save(target, quality=92, dpi=(dpi, dpi))
    return Rendition(target, sniff.JPEG)
