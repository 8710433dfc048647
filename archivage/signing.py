"""PAdES signatures with pyHanko: B-T for everyday copies, B-LTA for archival copies; and their validation.

A signature is added as an incremental update, so the signed file's first revision is the
PDF/A copy byte for byte; RSA keys keep the file at PDF 1.7, hence PDF/A-2. Validation runs
against configured trust roots and CRLs only (no fetching): an archive must be checkable
decades later on a machine with no network.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509


class SigningError(Exception):
    """The key material, the timestamp authority or the PDF did not allow a signature (French message)."""


@dataclass(frozen=True)
class ValidationMaterial:
    trust_roots: tuple[Path, ...]
    """Certificates (PEM or DER) that validation trusts; the signing CA must be one of them."""
    crls: tuple[Path, ...] = ()
    """Revocation lists embedded in B-LT/B-LTA signatures and used to validate without a network."""


@dataclass(frozen=True, kw_only=True)
class TsaSpec:
    url: str | None = None
    """RFC 3161 timestamp authority over HTTP(S)."""
    cert: Path | None = None
    key: Path | None = None
    """A local timestamp authority (test material only), used when no URL is given."""


@dataclass(frozen=True, kw_only=True)
class SigningSpec:
    p12: Path
    """The signing identity: key, certificate and chain in one PKCS#12 file."""
    password: bytes
    material: ValidationMaterial
    tsa: TsaSpec
    archival: bool = False
    """B-LTA (validation data embedded, then a document timestamp) instead of B-T."""
    reason: str = "Copie conforme à l'original reçu"
    location: str | None = None


@dataclass(frozen=True)
class SignatureCheck:
    field: str
    kind: str
    """``signature`` or ``horodatage`` (a document timestamp)."""
    intact: bool
    valid: bool
    trusted: bool
    signer: str
    signed_at: datetime | None
    timestamped: bool
    summary: str

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted


def _certificate(path: Path) -> asn1_x509.Certificate:
    from pyhanko.keys import load_cert_from_pemder

    return load_cert_from_pemder(str(path))


def _validation_context(material: ValidationMaterial) -> Any:
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(trust_roots=[_certificate(p) for p in material.trust_roots],
                             crls=[p.read_bytes() for p in material.crls], allow_fetching=False)


def _timestamper(spec: TsaSpec) -> Any:
    from pyhanko.sign import timestamps

    if spec.url:
        return timestamps.HTTPTimeStamper(spec.url, timeout=30)
    if spec.cert and spec.key:
        from pyhanko.keys import load_private_key_from_pemder

        key: asn1_keys.PrivateKeyInfo = load_private_key_from_pemder(str(spec.key), passphrase=None)
        return timestamps.DummyTimeStamper(tsa_cert=_certificate(spec.cert), tsa_key=key)
    raise SigningError("aucune autorité d'horodatage configurée (signing.tsa_url) : une signature B-T en a besoin")


def timestamp_token(digest: bytes, tsa: TsaSpec) -> bytes:
    """An RFC 3161 token (DER) over a SHA-256 digest: proof that the digest existed at that time."""
    try:
        token = asyncio.run(_timestamper(tsa).async_timestamp(digest, "sha256"))
    except SigningError:
        raise
    except Exception as exc:  # noqa: BLE001 - network, TSA refusal, bad response: all "no token"
        raise SigningError(f"horodatage impossible : {exc}") from exc
    return bytes(token.dump())


def token_facts(token: bytes) -> tuple[datetime, str]:
    """When the token says it stamped (UTC, naive) and the subject of the authority that signed it,
    read without validating (``check_timestamp_token`` validates)."""
    from asn1crypto import cms

    signed_data = cms.ContentInfo.load(token)["content"]
    info = signed_data["encap_content_info"]["content"].parsed
    stamped = info["gen_time"].native
    sid = signed_data["signer_infos"][0]["sid"].chosen
    authority = "?"
    for candidate in signed_data["certificates"] or []:
        certificate = candidate.chosen
        if certificate.serial_number == sid["serial_number"].native:
            authority = certificate.subject.human_friendly
    return stamped.replace(tzinfo=None) - (stamped.utcoffset() or timedelta()), authority


@dataclass(frozen=True)
class TokenCheck:
    intact: bool
    valid: bool
    trusted: bool
    time: datetime | None
    authority: str

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted


def check_timestamp_token(token: bytes, digest: bytes, material: ValidationMaterial) -> TokenCheck:
    """The token is signed by a trusted TSA and stamps exactly this digest."""
    from asn1crypto import cms
    from pyhanko.sign.validation.generic_cms import validate_tst_signed_data

    try:
        signed_data = cms.ContentInfo.load(token)["content"]
        status = asyncio.run(validate_tst_signed_data(signed_data, _validation_context(material),
                                                      lambda algorithm: digest))
    except Exception as exc:  # noqa: BLE001 - a token that does not even parse is simply not valid
        return TokenCheck(False, False, False, None, f"jeton illisible : {exc}")
    imprint = signed_data["encap_content_info"]["content"].parsed["message_imprint"]["hashed_message"].native
    trusted = status.get("trust_problem_indic") is None and status.get("validation_path") is not None
    return TokenCheck(bool(status["intact"]) and imprint == digest, bool(status["valid"]), trusted,
                      status.get("timestamp"), status["signing_cert"].subject.human_friendly)


def keeps_pdfa(copy: Path, signed: Path) -> bool:
    """The signed file is the PDF/A copy plus an incremental update that keeps it PDF/A-2.

    Validators (pikepdf's included) do not check signed files; what a signature could break is
    checked here: the first revision unchanged byte for byte, the PDF version and the PDF/A
    identification kept, and the signature invisible (no appearance, so no font to embed).
    """
    import pikepdf

    original = copy.read_bytes()
    if not signed.read_bytes().startswith(original):
        return False
    with pikepdf.open(copy) as before, pikepdf.open(signed) as after:
        if after.pdf_version != before.pdf_version:
            return False
        if after.open_metadata().get("pdfaid:part") != before.open_metadata().get("pdfaid:part"):
            return False
        form: Any = after.Root.get("/AcroForm", {})
        for field in form.get("/Fields", []):
            rect = field.get("/Rect")
            if rect is not None and any(float(v) != 0 for v in rect):
                return False
    return True


def sign_pdf(source: Path, destination: Path, spec: SigningSpec) -> None:
    """Sign ``source`` (a PDF/A copy) into ``destination``: PAdES B-T, or B-LTA when ``spec.archival``."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    try:
        signer = signers.SimpleSigner.load_pkcs12(str(spec.p12), passphrase=spec.password)
    except (OSError, ValueError) as exc:
        raise SigningError(f"certificat de signature illisible ({spec.p12}) : {exc}") from exc
    if signer is None:
        raise SigningError(f"certificat de signature illisible ou mot de passe erroné ({spec.p12})")
    with source.open("rb") as stream:
        writer = IncrementalPdfFileWriter(stream, strict=False)
        existing = {name for name, _, _ in fields.enumerate_sig_fields(writer, filled_status=None)}
        field_name = next(f"SignatureGED{n}" for n in range(1, 1000) if f"SignatureGED{n}" not in existing)
        metadata = signers.PdfSignatureMetadata(
            field_name=field_name, reason=spec.reason, location=spec.location, md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES, embed_validation_info=spec.archival,
            use_pades_lta=spec.archival,
            validation_context=_validation_context(spec.material) if spec.archival else None)
        timestamper = _timestamper(spec.tsa)
        try:
            with destination.open("wb") as output:
                signers.sign_pdf(writer, metadata, signer=signer, timestamper=timestamper, output=output)
        except Exception as exc:  # noqa: BLE001 - pyHanko raises many types; each one means "not signed"
            destination.unlink(missing_ok=True)
            raise SigningError(f"signature impossible : {exc}") from exc


def check_signatures(path: Path, material: ValidationMaterial) -> list[SignatureCheck]:
    """Every signature and document timestamp of the file, validated offline against the trust roots."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    context = _validation_context(material)
    checks: list[SignatureCheck] = []
    try:
        with path.open("rb") as stream:
            _check_all(PdfFileReader(stream, strict=False), context, checks)
    except Exception as exc:  # noqa: BLE001 - a damaged file is a failed check, not a crash of the audit
        checks.append(SignatureCheck("—", "signature", False, False, False, "?", None, False,
                                     f"fichier illisible ou altéré : {exc}"))
    return checks


def _check_all(reader: Any, context: Any, checks: list[SignatureCheck]) -> None:
    """Appends as it goes, so that the checks made before a damaged part stops the reading are kept."""
    from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
    from pyhanko.sign.validation.status import SignatureStatus

    for embedded in reader.embedded_signatures:
        is_timestamp = embedded.sig_object.get("/Type") == "/DocTimeStamp"
        status: SignatureStatus
        signed_at: datetime | None
        if is_timestamp:
            stamp = validate_pdf_timestamp(embedded, validation_context=context)
            status, signed_at, timestamped = stamp, stamp.timestamp, True
        else:
            signature = validate_pdf_signature(embedded, signer_validation_context=context,
                                               ts_validation_context=context)
            stamped = signature.timestamp_validity
            status, timestamped = signature, stamped is not None
            signed_at = signature.signer_reported_dt or (stamped.timestamp if stamped is not None else None)
        checks.append(SignatureCheck(
            field=embedded.field_name, kind="horodatage" if is_timestamp else "signature",
            intact=status.intact, valid=status.valid, trusted=status.trusted,
            signer=status.signing_cert.subject.human_friendly, signed_at=signed_at,
            timestamped=timestamped, summary=status.summary()))
