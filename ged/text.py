"""A document's text made of its pages' texts: one convention for typing, the index and display.

Its own module so that the database models, the index and the OCR workers share it without
importing each other (the models once imported the workers' analysis, and through it both leaves,
for this one line).
"""

from __future__ import annotations

from collections.abc import Sequence


def document_text(texts: Sequence[str]) -> str:
    """Pages with text, a blank line between them."""
    return "\n\n".join(t for t in texts if t)
