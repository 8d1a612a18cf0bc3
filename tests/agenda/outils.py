"""What the agenda's tests share: appointments made through the service, a file mail backend
whose files carry the process id (the workers of a test write side by side), and one that
stops for good before a given e-mail (where the test kills the worker, deterministically
before the mail server took it)."""

from __future__ import annotations

import os
import re
import time
from datetime import datetime, timedelta
from pathlib import Path
from smtplib import SMTPRecipientsRefused
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.filebased import EmailBackend
from django.utils import timezone

from agenda import services_rdv
from agenda.models import RendezVous
from espace_sante.acces import AccesPatient, Role
from profil.models import Espace

MESSAGE_ID = re.compile(r"^Message-ID: <rappel-(\d+)@", re.MULTILINE)


def acces_de(espace: Espace, role: Role = Role.TITULAIRE, utilisateur: Any = None) -> AccesPatient:
    """The holder's access, or for a child's space without an account, a representative's."""
    if utilisateur is None and espace.titulaire is None:
        lien = espace.representants.filter(fin__isnull=True).select_related(
            "representant__titulaire"
        )[0]
        return AccesPatient(
            espace=espace, role=Role.REPRESENTANT, utilisateur=lien.representant.titulaire
        )
    return AccesPatient(espace=espace, role=role, utilisateur=utilisateur or espace.titulaire)


def rdv_creer(
    espace: Espace,
    debut: datetime,
    *,
    titre: str = "Dentiste",
    rappels: list[tuple[int, str]] | None = None,
) -> RendezVous:
    return services_rdv.rendez_vous_creer(
        acces=acces_de(espace),
        donnees=services_rdv.DonneesRendezVous(
            titre=titre,
            debut=debut,
            duree_minutes=30,
            professionnel=None,
            professionnel_libre="Dr Durand",
            lieu="",
            notes="",
            rappels=rappels or [],
        ),
    )


def message_ids(dossier: Path) -> list[int]:
    """Every reminder's id found in the e-mails written under ``dossier`` (repeats kept)."""
    return [
        int(m)
        for fichier in sorted(dossier.glob("*.log"))
        for m in MESSAGE_ID.findall(fichier.read_text(errors="replace"))
    ]


class FichiersParProcessus(EmailBackend):
    """Django's file backend, one file per connection and process."""

    def _get_filename(self) -> str:
        if self._fname is None:  # type: ignore[has-type]
            self._fname = os.path.join(
                self.file_path, f"{time.time_ns()}-{os.getpid()}-{abs(id(self))}.log"
            )
        return self._fname


class FichiersBloquants(FichiersParProcessus):
    """Stops for good before the ``AGENDA_TEST_BLOQUER_A``-th e-mail of its process, or before
    any e-mail once another process stopped (``<dossier>/bloque`` exists)."""

    envoyes = 0

    def send_messages(self, email_messages: Any) -> int:
        seuil = int(os.environ.get("AGENDA_TEST_BLOQUER_A", "0"))
        marque = Path(self.file_path) / "bloque"
        total = 0
        for message in email_messages:
            FichiersBloquants.envoyes += 1
            if seuil and (FichiersBloquants.envoyes >= seuil or marque.exists()):
                marque.touch()
                time.sleep(3600)
            total += super().send_messages([message])
        return total


def dans(minutes: float) -> datetime:
    return timezone.now() + timedelta(minutes=minutes)


class Refusant(BaseEmailBackend):
    """Refuses for good (550) the addresses that contain "refuse", takes the others."""

    recus: list[Any] = []

    def send_messages(self, email_messages: Any) -> int:
        for message in email_messages:
            if any("refuse" in a for a in message.to):
                raise SMTPRecipientsRefused({message.to[0]: (550, b"no such user")})
            Refusant.recus.append(message)
        return len(email_messages)
