"""Ghostscript, used only to rescue PDFs that cannot become PDF/A as they are (fonts not embedded)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from .errors import EngineError


def available() -> bool:
    return shutil.which("gs") is not None


def rewrite_for_pdfa(source: Path, destination: Path, timeout: int) -> None:
    """Rewrite with fonts embedded and colours in RGB; pikepdf then declares and checks PDF/A."""
    command = ["gs", "-dPDFA=2", "-dBATCH", "-dNOPAUSE", "-dQUIET", "-dSAFER", "-dPDFACompatibilityPolicy=1",
               "-sColorConversionStrategy=RGB", "-sDEVICE=pdfwrite", f"-sOutputFile={destination}", str(source)]
    try:
        completed = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise EngineError(f"Ghostscript a dépassé le délai de {timeout} s") from exc
    if completed.returncode != 0 or not destination.exists():
        raise EngineError("échec de Ghostscript : " + completed.stderr.decode(errors="replace")[-500:])
