"""PAdES signatures on a real PDF/A copy with a local CA and a TSA on loopback; offline validation."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pikepdf
import pytest

import ocr
from archivage.pki import DemoPki, create_demo_pki
from archivage.signing import (
    SigningError,
    SigningSpec,
    TsaSpec,
    ValidationMaterial,
    check_signatures,
    check_timestamp_token,
    keeps_pdfa,
    sign_pdf,
    timestamp_token,
)

from ..tsa import TsaServer


def _spec(pki: DemoPki, tsa: TsaSpec, *, archival: bool) -> SigningSpec:
    return SigningSpec(p12=pki.signer_p12, password=pki.signer_password_file.read_bytes(),
                       material=ValidationMaterial((pki.ca_cert,), (pki.ca_crl,)), tsa=tsa, archival=archival)


def test_demo_pki_is_rsa_test_material_with_a_private_password(pki: DemoPki) -> None:
    from cryptography import x509

    ca = x509.load_pem_x509_certificate(pki.ca_cert.read_bytes())
    assert "TEST" in ca.subject.rfc4514_string() and ca.public_key().key_size == 2048
    assert oct(pki.signer_password_file.stat().st_mode)[-3:] == "600"
    assert oct(pki.signer_p12.stat().st_mode)[-3:] == "600"


@pytest.mark.parametrize("archival", [pytest.param(False, id="B-T"), pytest.param(True, id="B-LTA")])
def test_signature_through_a_real_tsa_keeps_the_pdfa_copy(pki: DemoPki, tsa_server: TsaServer, pdfa_copy: Path,
                                                          tmp_path: Path, archival: bool) -> None:
    signed = tmp_path / "signe.pdf"
    before = tsa_server.requests
    sign_pdf(pdfa_copy, signed, _spec(pki, TsaSpec(url=tsa_server.url), archival=archival))
    assert tsa_server.requests > before  # the timestamp really went over HTTP
    checks = check_signatures(signed, ValidationMaterial((pki.ca_cert,), (pki.ca_crl,)))
    assert [c.kind for c in checks] == (["signature", "horodatage"] if archival else ["signature"])
    assert all(c.ok for c in checks) and checks[0].timestamped and "TEST" in checks[0].signer
    assert keeps_pdfa(pdfa_copy, signed)
    assert signed.read_bytes().startswith(pdfa_copy.read_bytes())  # the first revision is the copy, untouched
    assert ocr.is_valid_pdfa(pdfa_copy)
    with pikepdf.open(signed) as pdf:
        assert pdf.pdf_version == "1.5" or pdf.pdf_version < "2.0"
        assert ("/DSS" in pdf.Root) == archival  # B-LTA embeds the validation data (certificates, CRL)


def test_another_trust_root_or_a_changed_byte_is_detected(pki: DemoPki, pdfa_copy: Path, tmp_path: Path) -> None:
    signed = tmp_path / "signe.pdf"
    sign_pdf(pdfa_copy, signed, _spec(pki, TsaSpec(cert=pki.tsa_cert, key=pki.tsa_key), archival=True))
    stranger = create_demo_pki(tmp_path / "autre", organisation="Autre")
    assert not any(c.trusted for c in check_signatures(signed, ValidationMaterial((stranger.ca_cert,))))
    data = bytearray(signed.read_bytes())
    data[len(data) // 3] ^= 0x01
    tampered = tmp_path / "altere.pdf"
    tampered.write_bytes(bytes(data))
    assert not any(c.intact for c in check_signatures(tampered, ValidationMaterial((pki.ca_cert,), (pki.ca_crl,))))
    truncated = tmp_path / "tronque.pdf"
    truncated.write_bytes(signed.read_bytes()[: len(data) // 2])
    [unreadable] = check_signatures(truncated, ValidationMaterial((pki.ca_cert,)))
    assert not unreadable.ok and "illisible" in unreadable.summary


def test_wrong_password_or_no_tsa_is_a_clear_error(pki: DemoPki, pdfa_copy: Path, tmp_path: Path) -> None:
    bad = SigningSpec(p12=pki.signer_p12, password=b"faux", material=ValidationMaterial((pki.ca_cert,)),
                      tsa=TsaSpec(cert=pki.tsa_cert, key=pki.tsa_key))
    with pytest.raises(SigningError, match="illisible"):
        sign_pdf(pdfa_copy, tmp_path / "x.pdf", bad)
    with pytest.raises(SigningError, match="horodatage"):
        sign_pdf(pdfa_copy, tmp_path / "y.pdf", _spec(pki, TsaSpec(), archival=False))
    assert not (tmp_path / "y.pdf").exists()
    with pytest.raises(SigningError, match="horodatage impossible"):
        timestamp_token(b"0" * 32, TsaSpec(url="http://127.0.0.1:9/tsa"))


def test_timestamp_token_over_a_digest(pki: DemoPki, tsa_server: TsaServer) -> None:
    digest = hashlib.sha256(b"tete du journal").digest()
    token = timestamp_token(digest, TsaSpec(url=tsa_server.url))
    material = ValidationMaterial((pki.ca_cert,), (pki.ca_crl,))
    check = check_timestamp_token(token, digest, material)
    assert check.ok and check.time is not None and "Horodatage de TEST" in check.authority
    assert not check_timestamp_token(token, hashlib.sha256(b"autre").digest(), material).ok
    assert not check_timestamp_token(b"garbage", digest, material).ok
