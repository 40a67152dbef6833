"""Errors raised while loading content."""

from __future__ import annotations

from pathlib import Path


class ContentError(Exception):
    """A content file is malformed: names the file, the line and the field."""

    def __init__(self, path: Path, line: int, field: str, message: str) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        field = f" {self.field}:" if self.field else ""
        return f"{self.path}:{self.line}:{field} {self.message}"
