"""The command line: parse, call one service, render."""

from loopcoach.cli.app import app, main

__all__ = ["app", "main"]
