"""Services: what a candidate does, composed from the catalog, the judge and the store."""

from loopcoach.practice.service import (
    Practice,
    PracticeError,
    SampleCheck,
    UnknownProblem,
    starter_filename,
)

__all__ = [
    "Practice",
    "PracticeError",
    "SampleCheck",
    "UnknownProblem",
    "starter_filename",
]
