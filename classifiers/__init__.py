"""Document-type classifiers, field extractors and request builders (issue 4). A leaf: no core imports."""
