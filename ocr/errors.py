"""Typed failures of the OCR leaf.

``InputRejected`` means the file itself is the problem (the caller quarantines it);
``EngineError`` means a tool failed on an acceptable file (the caller may retry).
Each rejection carries a stable ``code`` for programs and a French ``message`` for people.
"""

from __future__ import annotations


class OcrError(Exception):
    """Base of every error this package raises."""


class InputRejected(OcrError):
    """The input cannot be processed as a document; it must go to quarantine."""

    code = "invalid"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class EmptyInput(InputRejected):
    code = "empty"


class UnsupportedFormat(InputRejected):
    code = "unsupported"


class CorruptInput(InputRejected):
    code = "corrupt"


class EncryptedInput(InputRejected):
    code = "encrypted"


class LimitExceeded(InputRejected):
    code = "too_large"


class EngineError(OcrError):
    """An external tool failed on an input that looked acceptable."""


class MissingDependency(OcrError):
    """A required program (Tesseract, a language pack) is not installed."""


class ConversionTimedOut(InputRejected):
    """Converting the file (an office document) ran past its time: a hostile or absurdly heavy file."""

    code = "timeout"
