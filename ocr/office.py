"""Office documents (and the web pages made of e-mails and text files) turned into PDF/A by
LibreOffice headless, one conversion at a time per worker process.

Each worker has its own LibreOffice profile, made once with macros disabled and external links
never updated (a document cannot run code or fetch anything); two conversions sharing a profile
would wait on each other's lock. The profile is removed when its process ends (a worker too), and
profiles left by processes that were killed are removed by the next process that needs one. A
conversion that runs past its timeout is killed with its whole process group. ZIP-based documents
are measured before LibreOffice sees them, so a zip bomb is refused without being inflated.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import zipfile
from functools import cache
from multiprocessing.util import Finalize
from pathlib import Path

from . import sniff
from .errors import ConversionTimedOut, CorruptInput, EncryptedInput, EngineError, LimitExceeded, MissingDependency

_EXPORT_FILTERS = {sniff.XLSX: "calc_pdf_Export", sniff.ODS: "calc_pdf_Export", sniff.XLS: "calc_pdf_Export",
                   sniff.PPTX: "impress_pdf_Export", sniff.ODP: "impress_pdf_Export", sniff.PPT: "impress_pdf_Export"}
_PDFA_2B = '{"SelectPdfVersion":{"type":"long","value":"2"}}'
_MAX_INFLATED = 300 * 1024 * 1024
"""Uncompressed size of a ZIP-based document beyond which it is refused (a bomb, or no letter)."""
_MAX_RATIO = 200
"""Compression ratio beyond which an entry is a bomb: text and XML compress 5–20 times."""

# The profile's settings: macros never run (security level "very high", execution disabled),
# links to other files and images never updated, no first-start wizard.
_REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel"
 oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution"
 oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" oor:op="fuse">
<value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Content/Update"><prop oor:name="Link" oor:op="fuse">
<value>1</value></prop></item>
<item oor:path="/org.openoffice.Office.Writer/Content/Update"><prop oor:name="Link" oor:op="fuse">
<value>1</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security"><prop oor:name="BlockUntrustedRefererLinks"
 oor:op="fuse"><value>true</value></prop></item>
</oor:items>
"""


@cache
def soffice() -> str:
    """The LibreOffice program, or ``MissingDependency`` naming the Debian packages."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise MissingDependency("LibreOffice est introuvable : installez les paquets libreoffice-writer-nogui, "
                            "libreoffice-calc-nogui et libreoffice-impress-nogui")


_PROFILE_PREFIX = f"ged-libreoffice-{os.getuid()}-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process, alive
        return True
    return True


def _sweep(temporary: Path) -> None:
    """Remove the profiles of this user's processes that no longer exist (killed before their cleanup)."""
    for folder in temporary.glob(_PROFILE_PREFIX + "*"):
        pid = folder.name.removeprefix(_PROFILE_PREFIX)
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


@cache
def _profile() -> Path:
    """This process's LibreOffice profile: made once, removed when the process ends.

    ``multiprocessing``'s finalizer rather than ``atexit``: it also runs when a pool worker
    ends, where ``atexit`` does not.
    """
    temporary = Path(tempfile.gettempdir())
    with contextlib.suppress(OSError):
        _sweep(temporary)
    folder = temporary / f"{_PROFILE_PREFIX}{os.getpid()}"
    user = folder / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_REGISTRY, encoding="utf-8")
    Finalize(None, shutil.rmtree, args=(folder,), kwargs={"ignore_errors": True}, exitpriority=0)
    return folder


def check_package(path: Path, media_type: str) -> None:
    """Refuse a ZIP-based document that would inflate past the limits, or that is encrypted."""
    if media_type not in (sniff.DOCX, sniff.XLSX, sniff.PPTX, sniff.ODT, sniff.ODS, sniff.ODP):
        return
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            manifest = archive.read("META-INF/manifest.xml") if "META-INF/manifest.xml" in archive.namelist() else b""
    except (zipfile.BadZipFile, OSError, EOFError, KeyError) as exc:
        raise CorruptInput(f"document bureautique endommagé ({exc})") from exc
    inflated = sum(entry.file_size for entry in entries)
    if inflated > _MAX_INFLATED:
        raise LimitExceeded(f"document bureautique trop volumineux une fois décompressé ({inflated / 1e6:.0f} Mo, "
                            f"limite {_MAX_INFLATED / 1e6:.0f} Mo)")
    if any(entry.file_size > 1_000_000 and entry.file_size > _MAX_RATIO * max(entry.compress_size, 1)
           for entry in entries):
        raise LimitExceeded("document bureautique suspect : une partie se décompresse plus de "
                            f"{_MAX_RATIO} fois (bombe de décompression)")
    if b"encryption-data" in manifest:
        raise EncryptedInput("document OpenDocument protégé par un mot de passe : enregistrez-le sans mot de passe")


def to_pdfa(source: Path, media_type: str, workdir: Path, *, timeout: int) -> Path:
    """``source`` (an office document or an HTML page) as a PDF/A-2b file in ``workdir``."""
    check_package(source, media_type)
    program = soffice()
    workdir.mkdir(parents=True, exist_ok=True)
    named = workdir / f"document.{sniff.EXTENSIONS[media_type]}"  # LibreOffice picks its import filter by it
    shutil.copyfile(source, named)
    export = _EXPORT_FILTERS.get(media_type, "writer_pdf_Export")
    command = [program, f"-env:UserInstallation={_profile().as_uri()}", "--headless", "--invisible",
               "--nologo", "--norestore", "--nodefault", "--nolockcheck",
               *(["--infilter=HTML (StarWriter)"] if media_type == sniff.HTML else []),
               "--convert-to", f"pdf:{export}:{_PDFA_2B}", "--outdir", str(workdir), str(named)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                          start_new_session=True, env={**os.environ, "SAL_USE_VCLPLUGIN": "svp"}) as process:
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise ConversionTimedOut(f"conversion LibreOffice arrêtée après {timeout} s (document trop lourd "
                                     "ou piégé)") from None
    target = workdir / "document.pdf"
    named.unlink(missing_ok=True)
    if not target.is_file() or target.stat().st_size == 0:
        message = output.decode("utf-8", "replace").strip().splitlines()
        detail = message[-1][:200] if message else f"code {process.returncode}"
        if process.returncode not in (0, 1):
            raise EngineError(f"échec de LibreOffice ({detail})")
        raise CorruptInput(f"document bureautique illisible, protégé par un mot de passe ou endommagé ({detail})")
    return target
