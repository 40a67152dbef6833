"""The coach: offline feedback on behavioral answers, coverage and ranking of stories."""

from loopcoach.coach.analyser import Analyser, Feedback, PartFinding, Point

__all__ = ["Analyser", "Feedback", "PartFinding", "Point"]
