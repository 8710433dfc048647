"""Signing as configured: the key material and timestamp authority of ``[signing]``, and the demo PKI.

The PKCS#12 password never sits in ``ged.toml``: it comes from the environment variable named by
``signing.password_env`` or from ``signing.password_file``.
"""

from __future__ import annotations

import os

from archivage.pki import create_demo_pki
from archivage.signing import SigningSpec, TsaSpec, ValidationMaterial

from .errors import NotConfigured
from .settings import CONFIG_FILE_NAME, Settings


def validation_material(settings: Settings) -> ValidationMaterial:
    signing = settings.signing
    if not signing.trust_roots:
        raise NotConfigured("aucune autorité de confiance configurée (signing.trust_roots) : "
                            "lancez « ged init --demo-pki » pour un essai, ou configurez [signing]")
    return ValidationMaterial(tuple(settings.resolve(p) for p in signing.trust_roots),
                              tuple(settings.resolve(p) for p in signing.crls))


def tsa_spec(settings: Settings) -> TsaSpec:
    signing = settings.signing
    if signing.tsa_url:
        return TsaSpec(url=signing.tsa_url)
    if signing.tsa_cert_file and signing.tsa_key_file:
        return TsaSpec(cert=settings.resolve(signing.tsa_cert_file), key=settings.resolve(signing.tsa_key_file))
    raise NotConfigured("aucune autorité d'horodatage configurée (signing.tsa_url)")


def signing_spec(settings: Settings, *, archival: bool) -> SigningSpec:
    signing = settings.signing
    if signing.p12_file is None:
        raise NotConfigured("signature non configurée (signing.p12_file) : lancez « ged init --demo-pki » "
                            "pour un essai, ou configurez [signing]")
    password = os.environ.get(signing.password_env)
    if password is None and signing.password_file is not None:
        password = settings.resolve(signing.password_file).read_text(encoding="utf-8").strip()
    if password is None:
        raise NotConfigured(f"mot de passe du certificat de signature absent : variable {signing.password_env} "
                            "ou signing.password_file")
    return SigningSpec(p12=settings.resolve(signing.p12_file), password=password.encode(),
                       material=validation_material(settings), tsa=tsa_spec(settings), archival=archival,
                       location=signing.location)


DEMO_SECTION = """
# --- Demo PKI written by « ged init --demo-pki »: TEST MATERIAL, it proves nothing outside this machine.
[signing]
p12_file = "pki/demo-signer.p12"
password_file = "pki/demo-signer.password"
tsa_cert_file = "pki/demo-tsa.pem"
tsa_key_file = "pki/demo-tsa.key.pem"
trust_roots = ["pki/demo-ca.pem"]
crls = ["pki/demo-ca.crl"]
"""


def install_demo_pki(settings: Settings) -> bool:
    """Create the test CA, signer and TSA under ``<home>/pki`` and point ``[signing]`` at them; once only."""
    config = settings.home / CONFIG_FILE_NAME
    text = config.read_text(encoding="utf-8")
    if "[signing]" in text:
        return False
    create_demo_pki(settings.pki_path, organisation=settings.commune.name)
    config.write_text(text.rstrip("\n") + "\n" + DEMO_SECTION, encoding="utf-8")
    return True
