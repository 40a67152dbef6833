"""The web interface: pages, JSON twins and the REST API."""

from loopcoach.web.app import create_app

__all__ = ["create_app"]
