"""Errors raised while loading content."""

from __future__ import annotations

from pathlib import Path


class ContentError(Exception):
    """A content file is malformed: names the file, the line and the field."""

    def __init__(
        self,
        path: Path,
        line: int,
        field: str,
        message: str,
        others: tuple[ContentError, ...] = (),
    ) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.message = message
        self.others = others
        super().__init__(str(self))

    def all(self) -> list[ContentError]:
        """This error and every other one found in the same file."""
        return [self, *self.others]

    def __str__(self) -> str:
        field = f" {self.field}:" if self.field else ""
        return f"{self.path}:{self.line}:{field} {self.message}"
