"""The judge: runs untrusted submissions contained and checks them on the trusted side."""

from loopcoach.judge.runner import Judge, Progress, Report, TestResult
from loopcoach.judge.sandbox import Isolation, Sandbox, SandboxUnavailable
from loopcoach.judge.testdata import TestCase, TestDataError

__all__ = [
    "Isolation",
    "Judge",
    "Progress",
    "Report",
    "Sandbox",
    "SandboxUnavailable",
    "TestCase",
    "TestDataError",
    "TestResult",
]
