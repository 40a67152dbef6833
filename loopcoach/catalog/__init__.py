"""Content: tracks and problems, loaded from data files and validated."""

from loopcoach.catalog.errors import ContentError
from loopcoach.catalog.loader import Catalog, load_catalog, load_problem, load_track
from loopcoach.catalog.models import Problem, ProblemKind, Track

__all__ = [
    "Catalog",
    "ContentError",
    "Problem",
    "ProblemKind",
    "Track",
    "load_catalog",
    "load_problem",
    "load_track",
]
