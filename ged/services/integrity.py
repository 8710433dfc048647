"""The journal's integrity, as drivers call it (``ged journal``, the sealing robot): see ``ged.integrity``."""

from __future__ import annotations

from ..integrity import Seal, Verification, seal, verify

__all__ = ["Seal", "Verification", "seal", "verify"]
