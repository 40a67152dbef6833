"""The judge's verdicts: shared vocabulary for every layer."""

from __future__ import annotations

import enum


class Verdict(enum.StrEnum):
    """The outcome of one test case or of a whole submission."""

    ACCEPTED = "accepted"
    WRONG_ANSWER = "wrong_answer"
    TIME_LIMIT = "time_limit"
    MEMORY_LIMIT = "memory_limit"
    RUNTIME_ERROR = "runtime_error"
    COMPILE_ERROR = "compile_error"
    OUTPUT_LIMIT = "output_limit"
    INTERNAL_ERROR = "internal_error"

    @property
    def label(self) -> str:
        """Human wording, e.g. "Wrong answer"."""
        return self.value.replace("_", " ").capitalize()
