"""The store: rows in SQLite or PostgreSQL, kept current by migrations."""

from loopcoach.store.database import HEAD_REVISION, Store, StoreError
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
