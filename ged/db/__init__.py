"""Database access: models, engine set-up and migrations."""

from . import people, scanning  # noqa: F401 - their tables are part of the schema
from .models import Base, Document, DocumentState, Event, Page, StoredFile
from .session import Database

__all__ = ["Base", "Database", "Document", "DocumentState", "Event", "Page", "StoredFile"]
