"""The ingest path's public names, for type checkers and for ``lazy_loader`` alike."""

from ._analysis import ClassifierSpec as ClassifierSpec
from ._analysis import decide as decide
from ._intake import is_ignored as is_ignored
from ._pool import PAGES_PER_RUN as PAGES_PER_RUN
from ._pool import start_fork_server as start_fork_server
from ._splitting import print_separator as print_separator
from ._understanding import retype as retype
from .service import IngestReport as IngestReport
from .service import IngestService as IngestService
from .service import IntakeHints as IntakeHints
from .service import Outcome as Outcome
