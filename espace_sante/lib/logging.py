"""A logging filter that masks what must never reach a log: INS/NIR-like numbers and codes."""

from __future__ import annotations

import logging
import re

_NIR = re.compile(r"\b[12378]\s?\d{2}\s?\d{2}\s?(?:\d{2}|2A|2B)\s?\d{3}\s?\d{3}\s?\d{2}\b", re.I)
_SECRETS = re.compile(r"(?i)(code|password|mot_de_passe|secret|token)=([^&\s]+)")


def masquer(text: str) -> str:
    text = _NIR.sub("[INS masqué]", text)
    return _SECRETS.sub(r"\1=[masqué]", text)


class MasqueDonneesSensibles(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = masquer(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
