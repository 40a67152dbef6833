"""The store: rows in SQLite or PostgreSQL, kept current by migrations."""

from loopcoach.errors import StoreError
from loopcoach.store.database import HEAD_REVISION, Store
from loopcoach.store.history import (
    NewSubmission,
    SubmissionHistory,
    SubmissionRecord,
    TestRecord,
)

__all__ = [
    "HEAD_REVISION",
    "NewSubmission",
    "Store",
    "StoreError",
    "SubmissionHistory",
    "SubmissionRecord",
    "TestRecord",
]
