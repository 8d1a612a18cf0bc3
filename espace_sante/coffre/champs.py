"""Free text stored encrypted with the vault's keys (notes, directives anticipées, messages).

Stored form: ``esc1$<key id>$<base64url(nonce | AES-256-GCM(key, UTF-8 text, aad))>`` where the
associated data names the model field, so a value cannot be moved to another field. Forms and
the admin see plain text; ``rotate_keys`` re-encrypts values under the active key.
"""

from __future__ import annotations

import base64
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from django.db import models

from .cles import CleIndisponible, trousseau

PREFIXE = "esc1$"


def _aad(etiquette: str) -> bytes:
    return b"espace-sante/texte/v1|" + etiquette.encode()


def chiffrer_texte(texte: str, *, etiquette: str) -> str:
    cles = trousseau()
    nonce = os.urandom(12)
    chiffre = cles.aead(cles.active).encrypt(nonce, texte.encode(), _aad(etiquette))
    return f"{PREFIXE}{cles.active}${base64.urlsafe_b64encode(nonce + chiffre).decode()}"


def cle_du_texte(valeur: str) -> str | None:
    if not valeur.startswith(PREFIXE):
        return None
    return valeur[len(PREFIXE) :].split("$", 1)[0]


def dechiffrer_texte(valeur: str, *, etiquette: str) -> str:
    if not valeur.startswith(PREFIXE):
        raise CleIndisponible("valeur non chiffrée")
    cle_id, _, charge = valeur[len(PREFIXE) :].partition("$")
    kek = trousseau().aead(cle_id)
    brut = base64.urlsafe_b64decode(charge)
    try:
        return kek.decrypt(brut[:12], brut[12:], _aad(etiquette)).decode()
    except InvalidTag as exc:
        raise CleIndisponible("texte chiffré altéré ou déplacé") from exc


class TexteChiffre(models.TextField):
    """A TextField whose database value is ciphertext. Not searchable, not sortable."""

    description = "Texte chiffré"

    def contribute_to_class(
        self, cls: type[models.Model], name: str, *args: Any, **kw: Any
    ) -> None:
        super().contribute_to_class(cls, name, *args, **kw)
        self.etiquette = f"{cls._meta.label_lower}.{name}"

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return chiffrer_texte(str(value), etiquette=self.etiquette)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return dechiffrer_texte(value, etiquette=self.etiquette)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in {"isnull", "exact"}:
            raise TypeError("an encrypted field can only be compared to null or empty")
        return super().get_lookup(lookup_name)


def champs_chiffres() -> list[tuple[type[models.Model], TexteChiffre]]:
    from django.apps import apps

    return [
        (modele, champ)
        for modele in apps.get_models()
        for champ in modele._meta.get_fields()
        if isinstance(champ, TexteChiffre)
    ]


def textes_rechiffrer(*, lot: int = 500) -> int:
    """Re-encrypt every encrypted text not under the active key. Resumable, idempotent."""
    from django.db import transaction
    from django.db.models import F, TextField
    from django.db.models.functions import Cast

    active = f"{PREFIXE}{trousseau().active}$"
    total = 0
    for modele, champ in champs_chiffres():
        while True:
            with transaction.atomic():
                lignes = list(
                    modele._default_manager.annotate(brut=Cast(F(champ.attname), TextField()))
                    .exclude(brut__startswith=active)
                    .exclude(brut__isnull=True)
                    .exclude(brut="")
                    .select_for_update()
                    .values_list("pk", "brut")[:lot]
                )
                if not lignes:
                    break
                for pk, brut in lignes:
                    clair = dechiffrer_texte(brut, etiquette=champ.etiquette)
                    modele._default_manager.filter(pk=pk).update(**{champ.attname: clair})
                total += len(lignes)
    return total
