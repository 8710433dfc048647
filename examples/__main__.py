"""Write the sample mail into a folder: ``python -m examples [FOLDER]`` (default ``examples/courrier``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from PIL import Image

from . import render
from .forms import render_form
from .letters import by_name


def generate(folder: Path) -> list[Path]:
    """Eight letters and a filled-in form, covering every input kind the mail room meets."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def scan(name: str, **kwargs: float) -> Image.Image:
        return render.degrade(render.render_scan(by_name(name)), seed=render.seeded(name), **kwargs)

    path = folder / "signalement_eclairage.png"  # gray scan, skewed 1.5°
    scan("signalement_eclairage", skew=1.5).save(path, dpi=(300, 300), optimize=False)
    written.append(path)

    path = folder / "demande_acte_naissance.tif"  # bilevel two-page fax-like TIFF (G4)
    letter = by_name("demande_acte_naissance")
    pages = [render.render_scan(letter, page_text=letter.body[:2]),
             render.render_scan(letter, page_text=(*letter.body[2:], "", letter.signature))]
    bilevel = [render.degrade(p, seed=i, noise=4, blur=0.3).point(lambda v: 255 if v > 140 else 0).convert("1")
               for i, p in enumerate(pages)]
    bilevel[0].save(path, compression="group4", dpi=(300, 300), save_all=True, append_images=bilevel[1:])
    written.append(path)

    path = folder / "facture_fournisseur.pdf"  # born-digital, fonts embedded
    render.born_digital_pdf(by_name("facture_fournisseur"), path)
    written.append(path)

    path = folder / "inscription_scolaire.jpg"  # phone-quality JPEG
    path.write_bytes(render.jpeg_bytes(scan("inscription_scolaire", skew=-0.8, noise=10), quality=70))
    written.append(path)

    path = folder / "declaration_prealable.pdf"  # scanner PDF, fed upside down
    render.image_pdf([scan("declaration_prealable").rotate(180)], path)
    written.append(path)

    path = folder / "demande_subvention.pdf"  # born-digital, standard fonts not embedded
    render.born_digital_pdf(by_name("demande_subvention"), path, embed_fonts=False)
    written.append(path)

    path = folder / "reclamation_dechets.png"  # fed sideways
    scan("reclamation_dechets").transpose(Image.Transpose.ROTATE_270).save(path, dpi=(300, 300))
    written.append(path)

    path = folder / "courrier_divers.pdf"  # scanner PDF, slight skew
    render.image_pdf([scan("courrier_divers", skew=-1.0)], path)
    written.append(path)

    path = folder / "formulaire_inscription_scolaire.pdf"  # a form filled in, scanned
    form = render.degrade(render_form(), seed=render.seeded("formulaire"), skew=0.5, noise=6)
    render.image_pdf([form], path)
    written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m examples", description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=Path(__file__).parent / "courrier",
                        help="where the sample mail is written (created if needed)")
    for written_path in generate(parser.parse_args(argv).folder):
        print(written_path)


if __name__ == "__main__":
    main()
