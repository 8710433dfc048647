"""Types of the ``classifiers`` leaf for type checkers; read at run time by ``lazy_loader`` too."""

from .deadlines import (
    DeadlineRule as DeadlineRule,
)
from .deadlines import (
    Delay as Delay,
)
from .deadlines import (
    Due as Due,
)
from .deadlines import (
    Silence as Silence,
)
from .deadlines import (
    Unit as Unit,
)
from .deadlines import (
    WorkingCalendar as WorkingCalendar,
)
from .deadlines import (
    compute_due as compute_due,
)
from .decision import (
    IDENTIFIED as IDENTIFIED,
)
from .decision import (
    ILLEGIBLE as ILLEGIBLE,
)
from .decision import (
    Classification as Classification,
)
from .decision import (
    classify as classify,
)
from .decision import (
    legibility as legibility,
)
from .evaluation import Evaluation as Evaluation
from .evaluation import evaluate as evaluate
from .fields.document import PageText as PageText
from .fields.document import WordBox as WordBox
from .fields.extract import (
    ExtractedField as ExtractedField,
)
from .fields.extract import (
    extract_fields as extract_fields,
)
from .fields.extract import (
    field_codes as field_codes,
)
from .fields.extract import (
    normalise_value as normalise_value,
)
from .fields.streets import StreetList as StreetList
from .fields.streets import parse_ban_csv as parse_ban_csv
from .model import TypeModel as TypeModel
from .model import train_model as train_model
from .numbering import find_references as find_references
from .numbering import format_number as format_number
from .rules import RuleSet as RuleSet
from .rules import TypeRule as TypeRule
from .text import collapse as collapse
from .text import fold as fold
