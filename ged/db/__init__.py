"""Database access: models, engine set-up and migrations."""

from .models import Base, Document, DocumentState, Event, Page, StoredFile
from .session import Database

__all__ = ["Base", "Database", "Document", "DocumentState", "Event", "Page", "StoredFile"]
