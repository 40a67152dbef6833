"""Exceptions shared across layers, kept free of heavy imports so the CLI starts fast."""


class StoreError(RuntimeError):
    """The database cannot be opened or brought up to date."""
