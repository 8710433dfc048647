"""Types of the ``ocr`` leaf for type checkers; read at run time by ``lazy_loader`` too."""

from .errors import (
    ConversionTimedOut as ConversionTimedOut,
)
from .errors import (
    CorruptInput as CorruptInput,
)
from .errors import (
    EmptyInput as EmptyInput,
)
from .errors import (
    EncryptedInput as EncryptedInput,
)
from .errors import (
    EngineError as EngineError,
)
from .errors import (
    InputRejected as InputRejected,
)
from .errors import (
    LimitExceeded as LimitExceeded,
)
from .errors import (
    MissingDependency as MissingDependency,
)
from .errors import (
    OcrError as OcrError,
)
from .errors import (
    UnsupportedFormat as UnsupportedFormat,
)
from .forms import read_form_fields as read_form_fields
from .inspection import inspect as inspect
from .options import Limits as Limits
from .options import OcrOptions as OcrOptions
from .page import process_page as process_page
from .page import process_pages as process_pages
from .pdfa import (
    PdfaFailed as PdfaFailed,
)
from .pdfa import (
    build_searchable_pdf as build_searchable_pdf,
)
from .pdfa import (
    generated_pdfa as generated_pdfa,
)
from .pdfa import (
    is_valid_pdfa as is_valid_pdfa,
)
from .pdfa import (
    write_searchable_copy as write_searchable_copy,
)
from .plan import DocumentPlan as DocumentPlan
from .plan import PageJob as PageJob
from .plan import PagePlan as PagePlan
from .results import PageResult as PageResult
from .results import TextSource as TextSource
from .results import Word as Word
from .scanprofile import ColourMode as ColourMode
from .scanprofile import PageProfile as PageProfile
from .scanprofile import read_profile as read_profile
from .tasks import (
    INSPECT as INSPECT,
)
from .tasks import (
    RECOGNISE_PAGES as RECOGNISE_PAGES,
)
from .tasks import (
    WRITE_SEARCHABLE_COPY as WRITE_SEARCHABLE_COPY,
)
from .tesseract import check_available as check_available
