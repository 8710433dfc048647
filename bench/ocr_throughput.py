"""OCR throughput of ``ged ingest`` against raw Tesseract and OCRmyPDF, on the same pages, in one run.

    .venv/bin/python -m bench.ocr_throughput [--pages 40] [--kinds clean,noisy] [--repeat 2]
                                             [--born-digital 300] [--other-formats 10] [--rss-pages 200]
                                             [--workdir bench/out]

Prints, per page kind and per method: pages per minute (wall), CPU seconds per page (user +
system of the whole process tree: on these machines the second core's speed varies, CPU
time does not), the ratio to raw Tesseract (one process per image, as the issue defines it)
and the peak memory; then born-digital PDFs per second, what LibreOffice's conversion (Word
documents) and a photo's straightening cost per page beside the same letters scanned, and the
peak RSS of an ingest of ``--rss-pages`` pages. A second raw Tesseract row reads the images four per process, as ged's
workers do: every Tesseract process first loads its language models, so this row shows how
much of ged's advantage comes from that alone.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pikepdf
from PIL import Image

from examples import render
from examples.letters import LETTERS
from ged.ingest import PAGES_PER_RUN
from ocr import webpage

from .measure import Run, run

ROOT = Path(__file__).resolve().parents[1]
GED = str(ROOT / ".venv" / "bin" / "ged") if (ROOT / ".venv/bin/ged").exists() else "ged"
CORES = os.cpu_count() or 1
LANGUAGES = "fra+eng"


def say(*parts: object) -> None:
    print(*parts, flush=True)


def _page(args: tuple[int, str, Path]) -> Path:
    """One distinct A4 page at 300 dpi: a sample letter plus a serial line."""
    index, kind, folder = args
    letter = LETTERS[index % len(LETTERS)]
    body = (f"Dossier de test numéro {index:05d}.", *letter.body, "", letter.signature)
    image = render.render_scan(letter, page_text=body)
    if kind == "clean":
        path = folder / f"page-{index:05d}.png"
        image.save(path, dpi=(300, 300), compress_level=1)
    else:
        path = folder / f"page-{index:05d}.jpg"
        noisy = render.degrade(image, seed=index, skew=(index % 5 - 2) * 0.6, noise=12, blur=0.8)
        path.write_bytes(render.jpeg_bytes(noisy, quality=60))
    return path


def make_pages(folder: Path, count: int, kind: str, offset: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(CORES) as pool:
        return list(pool.map(_page, [(offset + i, kind, folder) for i in range(count)]))


def images_to_pdf(images: list[Path], target: Path) -> None:
    """A scanner's PDF of the same pages: JPEG kept as is, PNG as lossless Flate."""
    import zlib

    with pikepdf.new() as pdf:
        for path in images:
            with Image.open(path) as image:
                width, height = image.size
                if path.suffix == ".jpg":
                    data, codec = path.read_bytes(), pikepdf.Name.DCTDecode
                else:
                    data, codec = zlib.compress(image.convert("L").tobytes(), 6), pikepdf.Name.FlateDecode
            stream = pdf.make_stream(data, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=width,
                                     Height=height, ColorSpace=pikepdf.Name.DeviceGray, BitsPerComponent=8,
                                     Filter=codec)
            w_pt, h_pt = width * 72 / 300, height * 72 / 300
            page = pdf.add_blank_page(page_size=(w_pt, h_pt))
            page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=stream))
            page.Contents = pdf.make_stream(f"q {w_pt:.3f} 0 0 {h_pt:.3f} 0 0 cm /Im0 Do Q".encode())
        pdf.save(target)


def ged_ingest(folder: Path, home: Path) -> Run:
    shutil.rmtree(home, ignore_errors=True)
    env = {"GED_HOME": str(home), "GED_OCR__LANGUAGES": LANGUAGES, "GED_OCR__WORKERS": str(CORES)}
    run([GED, "init"], env=env)
    return run([GED, "ingest", "--json", str(folder)], env=env)


def raw_tesseract(images: list[Path], out: Path, per_run: int = 1) -> Run:
    """One tesseract process per core at a time (xargs -P), one thread each, as ged runs it; with
    ``per_run`` > 1, each process reads that many images from a list file (what ged's workers do,
    so that the language models load once per run)."""
    out.mkdir(parents=True, exist_ok=True)
    listing = out / "images.txt"
    listing.write_text("\n".join(str(p) for p in images) + "\n")
    if per_run == 1:
        script = (f'xargs -P {CORES} -I{{}} sh -c \'tesseract "$1" "{out}/$(basename "$1")" -l {LANGUAGES} '
                  f'>/dev/null 2>&1\' _ {{}} < {listing}')
    else:
        script = (f'xargs -P {CORES} -n {per_run} sh -c \'l=$(mktemp); printf "%s\\n" "$@" > "$l"; '
                  f'tesseract "$l" "{out}/$(basename "$1")" -l {LANGUAGES} >/dev/null 2>&1; rm -f "$l"\' '
                  f'_ < {listing}')
    return run(["sh", "-c", script], env={"OMP_THREAD_LIMIT": "1"})


def ocrmypdf(pdf: Path, out: Path) -> Run:
    return run([sys.executable, "-m", "ocrmypdf", "--jobs", str(CORES), "--output-type", "pdfa", "-l", LANGUAGES,
                "--quiet", str(pdf), str(out)], env={"OMP_THREAD_LIMIT": "1"})


def _row(name: str, pages: int, result: Run, baseline: Run | None) -> str:
    per_page = result.cpu / pages
    ratio = f"{per_page / (baseline.cpu / pages):5.2f}×" if baseline else "  1.00×"
    return (f"  {name:<22} {pages / result.wall * 60:8.1f} {per_page:10.2f} {ratio:>8} "
            f"{result.peak_tree_rss_mb:10.0f} {result.peak_main_rss_mb:10.0f}"
            + ("" if result.returncode == 0 else f"   (exit {result.returncode})"))


def _best(runs: list[Run]) -> Run:
    """The run with the least CPU: on a shared machine noise only ever adds time."""
    return min(runs, key=lambda r: r.cpu)


def compare(kind: str, pages: int, work: Path, repeat: int) -> None:
    folder = work / kind
    shutil.rmtree(folder, ignore_errors=True)
    images = make_pages(folder / "images", pages, kind)
    scanner_pdf = folder / "scans.pdf"
    images_to_pdf(images, scanner_pdf)
    runs: dict[str, list[Run]] = {"tesseract": [], "tesseract-4": [], "ged": [], "ocrmypdf": []}
    for _ in range(repeat):  # interleaved, so that a slow minute hurts every method alike
        runs["tesseract"].append(raw_tesseract(images, folder / "tesseract-out"))
        runs["tesseract-4"].append(raw_tesseract(images, folder / "tesseract-out", per_run=PAGES_PER_RUN))
        runs["ged"].append(ged_ingest(folder / "images", folder / "ged-home"))
        runs["ocrmypdf"].append(ocrmypdf(scanner_pdf, folder / "ocrmypdf-out.pdf"))
    tesseract = _best(runs["tesseract"])
    say(f"\n{kind} pages ({pages} × A4 300 dpi, {LANGUAGES}, {CORES} cores; best of {repeat} interleaved runs)")
    say(f"  {'method':<22} {'pages/min':>8} {'CPU s/page':>10} {'vs tess.':>8} {'peak tree':>10} {'peak main':>10}"
        "   (MB)")
    say(_row("raw tesseract", pages, tesseract, None))
    say(_row(f"raw tesseract, {PAGES_PER_RUN}/run", pages, _best(runs["tesseract-4"]), tesseract))
    say(_row("ged ingest (full)", pages, _best(runs["ged"]), tesseract))
    say(_row("ocrmypdf --output pdfa", pages, _best(runs["ocrmypdf"]), tesseract))
    median = {name: statistics.median(r.cpu for r in method_runs) for name, method_runs in runs.items()}
    say("  median of the runs, vs raw tesseract: " + "; ".join(
        f"{name} {median[name] / median['tesseract']:.2f}×" for name in runs if name != "tesseract"))
    say("  all runs, CPU s/page: " + "; ".join(
        f"{name} " + " ".join(f"{r.cpu / pages:.2f}" for r in method_runs) for name, method_runs in runs.items()))


def born_digital(count: int, work: Path, repeat: int) -> None:
    folder = work / "born-digital"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    template = folder / "template.pdf"
    render.born_digital_pdf(LETTERS[2], template)
    with pikepdf.open(template) as pdf:
        for index in range(count):
            pdf.docinfo["/Subject"] = f"Facture {index:05d}"  # distinct bytes, same content
            pdf.save(folder / f"facture-{index:05d}.pdf")
    template.unlink()
    runs = [ged_ingest(folder, work / "born-digital-home") for _ in range(repeat)]
    result = min(runs, key=lambda r: r.wall)
    say(f"\nborn-digital PDFs ({count} × 1 page, text layer, no OCR; best of {repeat} runs)")
    say(f"  ged ingest: {count / result.wall:.1f} documents/s wall ({result.wall:.1f} s, "
          f"{result.cpu / count * 1000:.0f} ms CPU per document, peak main RSS {result.peak_main_rss_mb:.0f} MB)")
    say("  all runs, documents/s: " + " ".join(f"{count / r.wall:.1f}" for r in runs))


def _office_letter(index: int, folder: Path) -> None:
    letter = LETTERS[index % len(LETTERS)]
    lines = [*letter.sender, "", letter.date, "", f"Objet : {letter.subject}", "", f"Dossier {index:05d}.",
             *letter.body, "", letter.signature]
    (folder / f"lettre-{index:05d}.html").write_bytes(webpage.page(letter.subject, webpage.text_as_html(
        "\n".join(lines))))


def other_formats(count: int, work: Path, repeat: int) -> None:
    """What LibreOffice's conversion and a photo's straightening add: ``count`` one-page letters as
    Word documents and as 12 MP phone photos, each ingested whole, beside the same pages scanned."""
    folder = work / "formats"
    shutil.rmtree(folder, ignore_errors=True)
    office, photos = folder / "docx", folder / "photos"
    for path in (office, photos):
        path.mkdir(parents=True)
    for index in range(count):
        _office_letter(index, folder)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{folder}/profil", "--headless",
                    "--infilter=HTML (StarWriter)", "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(office),
                    *map(str, sorted(folder.glob("*.html")))], check=True, capture_output=True)
    scans = make_pages(folder / "scans", count, "noisy", offset=20_000)
    for index, scan in enumerate(scans):
        page = Image.open(scan).convert("L")
        render.photograph(page, seed=index).save(photos / f"IMG_{index:04d}.jpg", quality=90)
    runs: dict[str, list[Run]] = {"scans": [], "docx": [], "photos": []}
    for _ in range(repeat):  # interleaved
        for name, source in (("scans", folder / "scans"), ("docx", office), ("photos", photos)):
            runs[name].append(ged_ingest(source, folder / f"{name}-home"))
    say(f"\nother formats ({count} one-page letters each, ged ingest; best of {repeat} interleaved runs)")
    say(f"  {'as':<26} {'CPU s/page':>10} {'vs scan':>8} {'pages/min':>10}")
    scan = _best(runs["scans"])
    for name, label in (("scans", "noisy 300 dpi scans (JPEG)"), ("docx", "Word documents (.docx)"),
                        ("photos", "phone photos, 12 MP, 20°")):
        best = _best(runs[name])
        say(f"  {label:<26} {best.cpu / count:10.2f} {best.cpu / scan.cpu:7.2f}× {count / best.wall * 60:10.1f}"
            + ("" if best.returncode == 0 else f"   (exit {best.returncode})"))


def peak_memory(pages: int, work: Path) -> None:
    folder = work / "rss"
    shutil.rmtree(folder, ignore_errors=True)
    make_pages(folder / "images", pages, "clean", offset=10_000)
    result = ged_ingest(folder / "images", folder / "ged-home")
    say(f"\nmemory: ged ingest of {pages} pages")
    say(f"  peak RSS of the ingest process {result.peak_main_rss_mb:.0f} MB, of the whole tree (workers and "
          f"Tesseract) {result.peak_tree_rss_mb:.0f} MB; {result.cpu / pages:.2f} CPU s/page, "
          f"{pages / result.wall * 60:.1f} pages/min")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--kinds", default="clean,noisy")
    parser.add_argument("--born-digital", type=int, default=300)
    parser.add_argument("--rss-pages", type=int, default=200)
    parser.add_argument("--other-formats", type=int, default=10,
                        help="letters as .docx and as phone photos (0: skip): conversion and straightening costs")
    parser.add_argument("--repeat", type=int, default=2,
                        help="runs of each measurement, best kept (interleaved where methods are compared)")
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    for kind in filter(None, args.kinds.split(",")):
        compare(kind, args.pages, args.workdir, args.repeat)
    if args.born_digital:
        born_digital(args.born_digital, args.workdir, args.repeat)
    if args.other_formats:
        other_formats(args.other_formats, args.workdir, args.repeat)
    if args.rss_pages:
        peak_memory(args.rss_pages, args.workdir)


if __name__ == "__main__":
    main()
