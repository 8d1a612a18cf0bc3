"""Reading a CSV extract of the insured-persons register, validated row by row.

A cell a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@`` or a tab:
``espace_sante.lib.tableur``) refuses its row, with the column named: no column of the
register may legitimately start so (INS and dates are digits, names are letters, the sex a
letter; there is no telephone column, where ``+33…`` would be legitimate)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError

from espace_sante.lib.tableur import cellule_formule

from .services import Identite

COLONNES_OBLIGATOIRES = ["ins", "nom_naissance", "prenoms", "date_naissance", "sexe"]
COLONNES_FACULTATIVES = ["nom_utilise", "ins_oid", "ins_representant"]
TAILLE_MAX = 5 * 1024 * 1024
LIGNES_MAX = 20_000


class FichierInvalide(Exception):
    pass


@dataclass
class Ligne:
    numero: int
    identite: Identite | None = None
    ins_representant: str = ""
    erreurs: list[str] = field(default_factory=list)


def _date(valeur: str) -> date:
    for motif in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(valeur.strip(), motif).date()
        except ValueError:
            continue
    raise ValueError(valeur)


def lire(contenu: bytes) -> Iterator[Ligne]:
    if len(contenu) > TAILLE_MAX:
        raise FichierInvalide("Le fichier dépasse 5 Mo : découpez-le.")
    try:
        texte = contenu.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FichierInvalide("Le fichier doit être encodé en UTF-8.") from exc
    try:
        dialecte = csv.Sniffer().sniff(texte[:4096], delimiters=",;")
    except csv.Error:
        dialecte = csv.excel
    lecteur = csv.DictReader(io.StringIO(texte), dialect=dialecte)
    entetes = [str(nom).strip().lower() for nom in (lecteur.fieldnames or [])]
    manquantes = [nom for nom in COLONNES_OBLIGATOIRES if nom not in entetes]
    if manquantes:
        raise FichierInvalide("Colonnes manquantes : " + ", ".join(manquantes) + ".")
    lecteur.fieldnames = entetes
    for index, brut in enumerate(lecteur, start=2):
        if index - 1 > LIGNES_MAX:
            raise FichierInvalide(f"Plus de {LIGNES_MAX} lignes : découpez le fichier.")
        yield _ligne(index, brut)


def _ligne(numero: int, brut: dict[str, str | None]) -> Ligne:
    if None in brut:
        return Ligne(numero, erreurs=["trop de colonnes sur cette ligne"])
    formules = [
        cle
        for cle, valeur in brut.items()
        if valeur and (cellule_formule(valeur) or cellule_formule(valeur.strip()))
    ]
    if formules:
        return Ligne(
            numero,
            erreurs=[
                f"colonne « {cle} » : une valeur ne peut pas commencer par =, +, -, @ ni par "
                "une tabulation (un tableur la prendrait pour une formule) ; corrigez la "
                "cellule dans le fichier puis importez-le à nouveau"
                for cle in formules
            ],
        )
    valeurs = {cle: (valeur or "").strip() for cle, valeur in brut.items()}
    ligne = Ligne(numero, ins_representant=valeurs.get("ins_representant", ""))
    try:
        naissance = _date(valeurs["date_naissance"])
    except ValueError:
        ligne.erreurs.append("date de naissance illisible (AAAA-MM-JJ ou JJ/MM/AAAA attendu)")
        return ligne
    ligne.identite = Identite(
        ins=valeurs["ins"],
        nom_naissance=valeurs["nom_naissance"],
        prenoms=valeurs["prenoms"],
        date_naissance=naissance,
        sexe=valeurs["sexe"].upper(),
        nom_utilise=valeurs.get("nom_utilise", ""),
        ins_oid=valeurs.get("ins_oid", ""),
    )
    return ligne


def messages_de(erreur: ValidationError) -> list[str]:
    if hasattr(erreur, "error_dict"):
        return [f"{champ} : {m}" for champ, liste in erreur.message_dict.items() for m in liste]
    return list(erreur.messages)
