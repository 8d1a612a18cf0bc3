"""The domain's one error type.

A service that refuses what it was asked raises ``Refus`` before it changes anything; the view
shows ``message`` to the person (a flash message or a form error), in plain French. ``code`` names
the reason where a caller or a test must tell refusals apart (an activation code that is locked,
expired…); most refusals keep the default.
"""

from __future__ import annotations


class Refus(Exception):
    """A refusal the person can read: the view shows the message, nothing changed."""

    def __init__(self, message: str, *, code: str = "refus") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
