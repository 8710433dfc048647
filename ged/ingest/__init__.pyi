"""The ingest path's public names, for type checkers and for ``lazy_loader`` alike."""

from ._analysis import ClassifierSpec as ClassifierSpec
from ._analysis import decide as decide
from ._intake import is_ignored as is_ignored
from ._pool import PAGES_PER_RUN as PAGES_PER_RUN
from ._pool import start_fork_server as start_fork_server
from ._splitting import print_separator as print_separator
from ._stages import IngestReport as IngestReport
from ._stages import IntakeHints as IntakeHints
from ._stages import Outcome as Outcome
from ._understanding import retype as retype
from .service import IngestService as IngestService
