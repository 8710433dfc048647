"""One-page PDFs written by the OCR workers: the text layer placed on its page.

For an image input the page is complete (the image as stored, and the text); for a PDF
page it holds only the invisible text, which the assembly lays over the original page.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import pikepdf
from PIL import Image

from . import pngdata
from .geometry import Matrix
from .raster import EXIF_ORIENTATION, open_frame

_FAST_FLATE = 3


def _png_stream(pdf: pikepdf.Pdf, png: pngdata.PngData) -> pikepdf.Stream:
    space = pikepdf.Name.DeviceRGB if png.components == 3 else pikepdf.Name.DeviceGray
    return pdf.make_stream(png.data, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=png.width,
                           Height=png.height, ColorSpace=space, BitsPerComponent=png.bits,
                           Filter=pikepdf.Name.FlateDecode,
                           DecodeParms=pikepdf.Dictionary(Predictor=15, Colors=png.components,
                                                          BitsPerComponent=png.bits, Columns=png.width))


def _image_stream(pdf: pikepdf.Pdf, source: Path, number: int, jpeg: bool) -> pikepdf.Stream:
    """The frame as an image XObject; JPEG and PNG data are embedded as they are when PDF allows it
    (a JPEG without a turning EXIF tag is not even decoded: ≈ 20 ms per A4 page)."""
    if jpeg:
        with Image.open(source) as raw:
            if raw.mode in ("L", "RGB") and raw.getexif().get(EXIF_ORIENTATION, 1) == 1:
                space = pikepdf.Name.DeviceRGB if raw.mode == "RGB" else pikepdf.Name.DeviceGray
                return pdf.make_stream(source.read_bytes(), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                                       Width=raw.width, Height=raw.height, ColorSpace=space, BitsPerComponent=8,
                                       Filter=pikepdf.Name.DCTDecode)
    else:
        png = pngdata.read(source)
        if png is not None:
            return _png_stream(pdf, png)
    frame = open_frame(source, number)
    if frame.mode not in ("1", "L", "RGB"):
        frame = frame.convert("RGB" if frame.mode in ("P", "RGBA", "CMYK", "YCbCr", "LAB", "HSV") else "L")
    bits = 1 if frame.mode == "1" else 8
    space = pikepdf.Name.DeviceRGB if frame.mode == "RGB" else pikepdf.Name.DeviceGray
    return pdf.make_stream(zlib.compress(frame.tobytes(), _FAST_FLATE), Type=pikepdf.Name.XObject,
                           Subtype=pikepdf.Name.Image, Width=frame.width, Height=frame.height, ColorSpace=space,
                           BitsPerComponent=bits, Filter=pikepdf.Name.FlateDecode)


def write_page(
    destination: Path, *, text_only_pdf: Path, layer_index: int, placement: Matrix,
    mediabox: tuple[float, float, float, float], rotate: int, image: tuple[Path, int, bool] | None,
) -> None:
    """Write the page; its text is page ``layer_index`` of Tesseract's text-only PDF (one run reads
    several pages); ``image`` is (source, frame number, is JPEG) for image inputs."""
    with pikepdf.new() as pdf, pikepdf.open(text_only_pdf) as layer_pdf:
        form = pdf.copy_foreign(layer_pdf.pages[layer_index].as_form_xobject())
        resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(GedText=form))
        content = b""
        if image is not None:
            resources.XObject.GedImage = _image_stream(pdf, *image)
            x0, y0, x1, y1 = mediabox
            content += f"q {x1 - x0:.4f} 0 0 {y1 - y0:.4f} {x0:.4f} {y0:.4f} cm /GedImage Do Q\n".encode()
        content += ("q " + " ".join(f"{v:.6f}" for v in placement) + " cm /GedText Do Q\n").encode()
        page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=pikepdf.Array(mediabox),
                                  Resources=resources, Contents=pdf.make_stream(content), Rotate=rotate)
        pdf.pages.append(pikepdf.Page(page))
        pdf.save(destination)
