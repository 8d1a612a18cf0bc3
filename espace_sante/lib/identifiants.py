"""Identifiers of the French health system, validated, never trusted.

- INS-NIR: 13 characters (sex, year, month, department incl. Corsica 2A/2B, commune, order)
  followed by a 2-digit key = 97 - (number mod 97), with 2A read as 19 and 2B as 18.
- RPPS: 11 digits, the last one a Luhn check digit.
- ADELI: 9 digits, the last one a Luhn check digit.
- FINESS: 9 characters (department incl. 2A/2B, then digits), the last one a Luhn check digit
  over the 8 first characters (2A/2B read as 20 for the key: our reading of the nomenclature).

Each ``valider_*`` function normalises its input (spaces and dots removed, upper case) and
returns it, or raises ``django.core.exceptions.ValidationError`` with a message a person can act on.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

OID_INS_NIR_PRODUCTION = "1.2.250.1.213.1.4.8"
OID_INS_NIR_TEST = "1.2.250.1.213.1.4.10"
OID_INS_NIR_DEMO = "1.2.250.1.213.1.4.11"
OIDS_INS_NIR = {
    OID_INS_NIR_PRODUCTION: "production",
    OID_INS_NIR_TEST: "test",
    OID_INS_NIR_DEMO: "démonstration",
}
OID_RPPS = "1.2.250.1.71.4.2.1"

_NIR = re.compile(r"^([12378])(\d{2})(\d{2})(\d{2}|2A|2B)(\d{3})(\d{3})(\d{2})$")
_SEPARATEURS = re.compile(r"[\s.\-]")


def normaliser(valeur: str) -> str:
    return _SEPARATEURS.sub("", str(valeur)).upper()


def nir_cle(corps: str) -> int:
    """The key of a 13-character NIR body (Corsica: 2A → 19, 2B → 18)."""
    corps = normaliser(corps)
    if len(corps) != 13:
        raise ValueError("a NIR body has 13 characters")
    chiffres = corps[:5] + corps[5:7].replace("2A", "19").replace("2B", "18") + corps[7:]
    if not chiffres.isdigit():
        raise ValueError("a NIR body is made of digits (and 2A/2B)")
    return 97 - int(chiffres) % 97


def valider_nir(valeur: str) -> str:
    nir = normaliser(valeur)
    if len(nir) != 15:
        raise ValidationError(
            _("Le numéro INS compte 15 caractères (13 + clé de 2 chiffres) ; %(n)s saisis.")
            % {"n": len(nir)},
            code="longueur",
        )
    correspondance = _NIR.match(nir)
    if correspondance is None:
        raise ValidationError(
            _("Le numéro INS ne contient que des chiffres (et 2A ou 2B pour la Corse)."),
            code="format",
        )
    mois = int(correspondance.group(3))
    if not (1 <= mois <= 12 or 20 <= mois <= 42 or 50 <= mois <= 99):
        raise ValidationError(_("Le mois de naissance du numéro INS n'existe pas."), code="mois")
    if int(correspondance.group(7)) != nir_cle(nir[:13]):
        raise ValidationError(
            _("La clé du numéro INS ne correspond pas : vérifiez les 15 caractères."), code="cle"
        )
    return nir


def verifier_nir(valeur: str) -> None:
    """``valider_nir`` as a Django field validator."""
    valider_nir(valeur)


def nir_est_valide(valeur: str) -> bool:
    try:
        valider_nir(valeur)
    except ValidationError:
        return False
    return True


def nir_concorde_avec_naissance(nir: str, date_naissance: date) -> bool:
    """Year and (when known) month of birth in the NIR agree with a birth date."""
    nir = normaliser(nir)
    if nir[0] in "78":  # provisional numbers (NIA): the fields carry no birth date
        return True
    if int(nir[1:3]) != date_naissance.year % 100:
        return False
    mois = int(nir[3:5])
    return not (1 <= mois <= 12) or mois == date_naissance.month


def valider_oid_ins(oid: str) -> str:
    oid = oid.strip()
    if oid not in OIDS_INS_NIR:
        raise ValidationError(_("OID d'autorité INS inconnu : %(oid)s.") % {"oid": oid}, code="oid")
    return oid


def luhn_valide(chiffres: str) -> bool:
    if not chiffres.isdigit():
        return False
    total = 0
    for rang, caractere in enumerate(reversed(chiffres)):
        chiffre = int(caractere)
        if rang % 2 == 1:
            chiffre *= 2
            if chiffre > 9:
                chiffre -= 9
        total += chiffre
    return total % 10 == 0


def luhn_cle(corps: str) -> int:
    """The Luhn check digit to append to ``corps``."""
    for cle in range(10):
        if luhn_valide(corps + str(cle)):
            return cle
    raise ValueError("not digits")


def _valider_luhn(valeur: str, *, nom: str, longueur: int) -> str:
    numero = normaliser(valeur)
    if len(numero) != longueur or not numero.isdigit():
        raise ValidationError(
            _("Le numéro %(nom)s compte %(n)s chiffres.") % {"nom": nom, "n": longueur},
            code="format",
        )
    if not luhn_valide(numero):
        raise ValidationError(
            _("La clé du numéro %(nom)s ne correspond pas : vérifiez le numéro.") % {"nom": nom},
            code="cle",
        )
    return numero


def valider_rpps(valeur: str) -> str:
    return _valider_luhn(valeur, nom="RPPS", longueur=11)


def valider_adeli(valeur: str) -> str:
    return _valider_luhn(valeur, nom="ADELI", longueur=9)


def valider_finess(valeur: str) -> str:
    numero = normaliser(valeur)
    if len(numero) != 9 or not re.fullmatch(r"(\d{2}|2A|2B)\d{7}", numero):
        raise ValidationError(
            _("Le numéro FINESS compte 9 caractères (département, dont 2A/2B, puis chiffres)."),
            code="format",
        )
    if not luhn_valide(numero.replace("2A", "20", 1).replace("2B", "20", 1)):
        raise ValidationError(
            _("La clé du numéro FINESS ne correspond pas : vérifiez le numéro."), code="cle"
        )
    return numero


def masquer_nir(nir: str) -> str:
    """What may be shown where the full number is not needed: the sex digit and the key."""
    nir = normaliser(nir)
    return f"{nir[0]} •• •• •• ••• ••• {nir[13:]}" if len(nir) == 15 else "•••"
