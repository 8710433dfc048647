"""OCR leaf: from a file's bytes to page texts, words with boxes, and a searchable PDF/A copy.

A library: paths, images and frozen dataclasses in, results out. It never touches the
database, the settings object or any global state of the core. Names are loaded on first
use, so that importing the package for its types costs nothing; ``__init__.pyi`` lists them,
for type checkers and for ``lazy_loader`` alike.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
