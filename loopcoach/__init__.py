"""loopcoach: a self-hosted coach for technical interview loops."""

__version__ = "0.1.0"
