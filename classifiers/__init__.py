"""Classification leaf: document types, field extraction, request rules (deadlines, numbers).

A library like ``ocr``: texts, words with boxes and frozen dataclasses in, results out; no
database, no settings object. Names load on first use so that importing the package for
its types does not import scikit-learn; ``__init__.pyi`` lists them, for type checkers and for
``lazy_loader`` alike.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
