"""A professional's software reaches a space exactly as the professional would on the web:
through ``espace_sante.acces`` (rules 1–5), with one difference the journal shows — the actor
is "Dr X, médecin généraliste, via le logiciel Y"."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass

from django.http import Http404

from espace_sante.acces import AccesPro, acces_professionnel
from espace_sante.journal.services import Acteur
from espace_sante.lib.identifiants import OIDS_INS_NIR, normaliser
from profil.models import Espace

from .api import Appelant


@dataclass(frozen=True)
class AccesLogiciel(AccesPro):
    """An ``AccesPro`` (every rule of the access package takes it as one) whose journal
    entries name the software too; the author of its deposits stays the professional."""

    logiciel: str = ""

    @property
    def acteur(self) -> Acteur:
        pro = super().acteur
        return Acteur(type=pro.type, id=pro.id, nom=f"{pro.nom}, via le logiciel {self.logiciel}")


def acces_logiciel(*, appelant: Appelant, espace_uuid: uuid.UUID) -> AccesLogiciel:
    """The caller's access to the space, or ``Http404`` (the same for a space that does not
    exist and one the professional may not open)."""
    acces = acces_professionnel(professionnel=appelant.professionnel, espace_uuid=espace_uuid)
    valeurs = {champ.name: getattr(acces, champ.name) for champ in dataclasses.fields(acces)}
    return AccesLogiciel(**valeurs, logiciel=appelant.logiciel.nom)


def lire_identifiant_ins(valeur: str) -> str | None:
    """``urn:oid:<INS-NIR OID>|<NIR>`` (production, test or demonstration OID), or a bare NIR:
    the NIR, or ``None`` for another identifier system."""
    systeme, barre, nir = valeur.partition("|")
    if not barre:
        systeme, nir = "", systeme
    if systeme and systeme.removeprefix("urn:oid:") not in OIDS_INS_NIR:
        return None
    nir = normaliser(nir)
    return nir if len(nir) == 15 else None


def espace_par_ins(*, appelant: Appelant, ins: str) -> AccesLogiciel | None:
    """The access to the space whose INS is ``ins`` if the professional may open it; ``None``
    alike when no space has it and when they may not (no existence leak)."""
    espace_uuid = Espace.objects.filter(ins=ins).values_list("uuid", flat=True).first()
    if espace_uuid is None:
        return None
    try:
        return acces_logiciel(appelant=appelant, espace_uuid=espace_uuid)
    except Http404:  # not theirs to open
        return None
