"""A logging filter that masks what must never reach a log: INS/NIR-like numbers and codes."""

from __future__ import annotations

import logging
import re
import sys
import traceback

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


def erreur_sans_contenu(logger: logging.Logger, message: str, *args: object) -> None:
    """Log the exception being handled without its text: readers of health content raise
    errors whose message may quote what they read (a value, a code, a name), and a traceback
    logged by ``logger.exception`` carries that message past ``MasqueDonneesSensibles``. This
    logs the message, the exception's type and where it was raised (file, line, function, the
    source line), never ``str(exception)``."""
    type_, _valeur, pile = sys.exc_info()
    lieux = "".join(traceback.format_tb(pile)) if pile is not None else ""
    nom = type_.__name__ if type_ is not None else "aucune exception"
    logger.error(message + " (%s)\n%s", *args, nom, lieux)
