"""The ingest path, one folder from a file to its record.

``service.IngestService`` takes files and hands them from step to step, each a private module:

- ``_intake``: which files a batch or a watched folder takes (never scanner litter);
- ``_splitting``: a batch scan cut at its separator sheets, an e-mail into its message and
  attachments, before anything is recorded;
- ``_pool``: the OCR worker processes (inspection, pages four to a Tesseract run, the PDF/A
  copy), with ``_analysis`` (typing and fields) run in the same workers;
- ``_recording``: pages, files and the document's state written in one transaction;
- ``_understanding``: what needs the database (citations, corrections kept, routing, the request).

``_stages`` holds what a file is at each stage, one type each, from the hints it arrived with
to the report the caller gets; ``queue`` holds the jobs that workers on other machines claim
(drivers reach it through ``ged.services.queue``).

Drivers reach it through ``ged.services.ingest``; the few names other core modules need (a
retyping at validation, the classifier's decision, the fork server) are listed in
``__init__.pyi`` and loaded on first use, so that the OCR workers, which import ``_analysis``,
do not import the whole service.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
