"""Signing as configured: the key material and timestamp authority of ``[signing]``, and the demo PKI.

The PKCS#12 password never sits in ``ged.toml``: it comes from the environment variable named by
``signing.password_env`` or from ``signing.password_file``.
"""

from __future__ import annotations

import os

from archivage.signing import SigningSpec, TsaSpec, ValidationMaterial

from .errors import NotConfigured
from .settings import Settings


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
