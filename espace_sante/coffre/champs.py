"""Free text stored encrypted with the vault's keys (notes, directives anticipées, messages).

Stored form: ``esc1$<key id>$<base64url(nonce | AES-256-GCM(key, UTF-8 text, aad))>`` where the
associated data names the model field, so a value cannot be moved to another field. Forms and
the admin see plain text; ``rotate_keys`` re-encrypts values under the active key.
"""

from __future__ import annotations

import base64
import binascii
import os
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from django import forms
from django.apps import apps
from django.conf import settings
from django.core import validators
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, TextField
from django.db.models.functions import Cast
from django.utils.crypto import salted_hmac

from .cles import CleIndisponible, trousseau

PREFIXE = "esc1$"


@lru_cache(maxsize=512)
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
    # a2b_base64 of the standard alphabet: the urlsafe decoder's translation costs as much.
    brut = binascii.a2b_base64(charge.replace("-", "+").replace("_", "/"))
    try:
        return kek.decrypt(brut[:12], brut[12:], _aad(etiquette)).decode()
    except InvalidTag as exc:
        raise CleIndisponible("texte chiffré altéré ou déplacé") from exc


def _secrets_index() -> list[str]:
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def empreintes_possibles(valeur: str, *, usage: str, portee: object = "") -> list[str]:
    """The digest of ``valeur`` under ``SECRET_KEY`` and under each of its fallbacks (a digest
    made before ``SECRET_KEY`` changed still matches until ``rotate_keys --index``)."""
    return [
        empreinte_indexee(valeur, usage=usage, portee=portee, secret=secret)
        for secret in _secrets_index()
    ]


def empreinte_indexee(
    valeur: str, *, usage: str, portee: object = "", secret: str | None = None
) -> str:
    """A keyed digest (a "blind index") of a value, to group, filter or enforce uniqueness in
    SQL without the value in clear: HMAC-SHA256 keyed by ``SECRET_KEY`` (which the database
    does not hold), for one ``usage`` and one ``portee`` (a space: the same folder name gives
    different digests in two spaces). Case and spaces are ignored. Empty for an empty value.
    It does not depend on the vault's keys: ``rotate_keys`` leaves it as it is; changing
    ``SECRET_KEY`` needs ``rotate_keys --index`` (docs/VAULT.md)."""
    normalise = " ".join(valeur.casefold().split())
    if not normalise:
        return ""
    return salted_hmac(
        f"espace_sante.index.{usage}", f"{portee}|{normalise}", secret=secret, algorithm="sha256"
    ).hexdigest()


class TexteChiffre(models.TextField):
    """A TextField whose database value is ciphertext. Not searchable, not sortable.

    ``max_length`` limits the text (form field and model validation, as a CharField) without a
    database constraint: the stored ciphertext is longer than the text."""

    description = "Texte chiffré"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self.validators.append(validators.MaxLengthValidator(self.max_length))

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
        if lookup_name == "exact":
            return _VideExact
        return super().get_lookup(lookup_name)


class _VideExact(models.lookups.Exact):
    """``champ=""`` only: a non-empty value would be encrypted with a fresh nonce and never
    match, silently (compare a blind index instead)."""

    def get_prep_lookup(self) -> Any:
        if self.rhs not in ("", None) and not hasattr(self.rhs, "resolve_expression"):
            raise TypeError("an encrypted field can only be compared to null or empty")
        return super().get_prep_lookup()


class DecimalChiffre(TexteChiffre):
    """A decimal number stored encrypted (a measure's value): Python sees a ``Decimal``, forms
    a decimal field; the database holds the ciphertext of its text form."""

    description = "Nombre décimal chiffré"
    # What django-stubs' plugin reads for the type of the model attribute.
    _pyi_private_set_type: str | float | Decimal | models.expressions.Combinable  # type: ignore[assignment]
    _pyi_private_get_type: Decimal  # type: ignore[assignment]

    def __init__(
        self, *args: Any, max_digits: int = 6, decimal_places: int = 2, **kwargs: Any
    ) -> None:
        self.max_digits, self.decimal_places = max_digits, decimal_places
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        nom, chemin, args, kwargs = super().deconstruct()
        kwargs.update(max_digits=self.max_digits, decimal_places=self.decimal_places)
        return nom, chemin, args, kwargs

    def to_python(self, value: Any) -> Decimal | None:
        if value is None or value == "":
            return None
        try:
            return Decimal(str(value)).quantize(Decimal(1).scaleb(-self.decimal_places))
        except (InvalidOperation, ValueError) as exc:
            raise ValidationError("Saisissez un nombre.", code="invalid") from exc

    def get_prep_value(self, value: Any) -> Any:
        nombre = self.to_python(value)
        return None if nombre is None else super().get_prep_value(f"{nombre:f}")

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Decimal | None:
        texte = super().from_db_value(value, expression, connection)
        return None if texte is None or texte == "" else Decimal(texte)

    def formfield(self, **kwargs: Any) -> Any:
        return forms.DecimalField(
            **{
                "max_digits": self.max_digits,
                "decimal_places": self.decimal_places,
                "required": not self.blank,
                "label": self.verbose_name,
                "help_text": self.help_text,
                **kwargs,
            }
        )


def champs_chiffres() -> list[tuple[type[models.Model], TexteChiffre]]:
    return [
        (modele, champ)
        for modele in apps.get_models()
        for champ in modele._meta.get_fields()
        if isinstance(champ, TexteChiffre)
    ]


def textes_rechiffrer(*, lot: int = 500) -> int:
    """Re-encrypt every encrypted text not under the active key. Resumable, idempotent."""
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


def textes_clairs_chiffrer(modele: type[models.Model], *, lot: int = 500) -> int:
    """Encrypt the values of ``modele``'s encrypted fields still in clear: the data migration
    of a field that was plain text (or a number) before. Works on a migration's historical
    model; values already encrypted are left as they are, so it can run again safely."""
    total = 0
    for champ in modele._meta.get_fields():
        if not isinstance(champ, TexteChiffre):
            continue
        dernier: Any = None
        while True:
            lignes = (
                modele._default_manager.annotate(brut=Cast(F(champ.attname), TextField()))
                .exclude(brut__startswith=PREFIXE)
                .exclude(brut__isnull=True)
                .exclude(brut="")
            )
            if dernier is not None:
                lignes = lignes.filter(pk__gt=dernier)
            lot_courant = list(lignes.order_by("pk").values_list("pk", "brut")[:lot])
            if not lot_courant:
                break
            for pk, brut in lot_courant:
                modele._default_manager.filter(pk=pk).update(**{champ.attname: brut})
            dernier = lot_courant[-1][0]
            total += len(lot_courant)
    return total


def index_reconstruire(*, lot: int = 500) -> int:
    """Recompute every blind index under the current ``SECRET_KEY`` (after it changed): the
    models name theirs in ``INDEX_AVEUGLES`` = {index field: (encrypted field, usage)}, scoped
    to the row's space (``espace_id``). Idempotent; returns the rows changed."""
    total = 0
    for modele in apps.get_models():
        index: dict[str, tuple[str, str]] = getattr(modele, "INDEX_AVEUGLES", {})
        for champ_index, (champ_texte, usage) in index.items():
            lignes = modele._default_manager.values_list(
                "pk", "espace_id", champ_texte, champ_index
            )
            for pk, espace_id, texte, ancien in lignes.iterator(chunk_size=lot):
                nouveau = empreinte_indexee(texte or "", usage=usage, portee=espace_id)
                if nouveau != ancien:
                    modele._default_manager.filter(pk=pk).update(**{champ_index: nouveau})
                    total += 1
    return total
