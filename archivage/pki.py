"""A test PKI that makes signing work offline: a CA, a signing certificate, a timestamp authority.

Every name says "TEST" and the files say "demo": this material proves nothing to anyone
outside the installation. RSA keys throughout, because an EC key makes pyHanko raise the PDF
version to 2.0, which breaks PDF/A-2 (FIELD-NOTES). The CA publishes a CRL so that the
validation data embedded in B-LT/B-LTA signatures can be gathered without any network.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CRL_URL = "http://pki.ged-demo.invalid/demo-ca.crl"
"""Named in the certificates so validators know where revocation data lives; never fetched."""


@dataclass(frozen=True)
class DemoPki:
    ca_cert: Path
    ca_crl: Path
    signer_p12: Path
    signer_password_file: Path
    tsa_cert: Path
    tsa_key: Path


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _certificate(subject: x509.Name, key: rsa.RSAPrivateKey, issuer: x509.Name, issuer_key: rsa.RSAPrivateKey,
                 *, now: datetime, years: int, ca: bool, usage: x509.ObjectIdentifier | None) -> x509.Certificate:
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
               .not_valid_after(now + timedelta(days=365 * years))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                              critical=False))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=False, content_commitment=False, key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False),
            critical=True)
    else:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=usage is None, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False,
            decipher_only=False), critical=True)
        builder = builder.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(CRL_URL)], relative_name=None, reasons=None,
            crl_issuer=None)]), critical=False)
        if usage is not None:
            builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def create_demo_pki(folder: Path, *, organisation: str, now: datetime | None = None) -> DemoPki:
    """Write the test CA, its CRL, a PKCS#12 signing identity (random password in a 0600 file) and a TSA."""
    now = now or datetime.now(UTC)
    folder.mkdir(parents=True, exist_ok=True)
    ca_key, signer_key, tsa_key = _key(), _key(), _key()
    ca_name = _name("AC de TEST — GED démo (ne pas utiliser en production)", organisation)
    ca = _certificate(ca_name, ca_key, ca_name, ca_key, now=now, years=20, ca=True, usage=None)
    signer = _certificate(_name("Signature de TEST — GED démo", organisation), signer_key, ca_name, ca_key,
                          now=now, years=10, ca=False, usage=None)
    tsa = _certificate(_name("Horodatage de TEST — GED démo", organisation), tsa_key, ca_name, ca_key, now=now,
                       years=10, ca=False, usage=ExtendedKeyUsageOID.TIME_STAMPING)
    crl = (x509.CertificateRevocationListBuilder().issuer_name(ca_name).last_update(now - timedelta(days=1))
           .next_update(now + timedelta(days=365 * 10)).sign(ca_key, hashes.SHA256()))
    password = secrets.token_urlsafe(24)
    paths = DemoPki(folder / "demo-ca.pem", folder / "demo-ca.crl", folder / "demo-signer.p12",
                    folder / "demo-signer.password", folder / "demo-tsa.pem", folder / "demo-tsa.key.pem")
    paths.ca_cert.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths.ca_crl.write_bytes(crl.public_bytes(serialization.Encoding.DER))
    paths.tsa_cert.write_bytes(tsa.public_bytes(serialization.Encoding.PEM))
    _private(paths.tsa_key, tsa_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption()))
    _private(paths.signer_p12, pkcs12.serialize_key_and_certificates(
        b"signature-demo", signer_key, signer, [ca], serialization.BestAvailableEncryption(password.encode())))
    _private(paths.signer_password_file, password.encode())
    return paths


def _private(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(data)
