"""Generate the table of professionals' specialties from the national value set JDV_J01
(docs/MATRICE.md).

The CI-SIS value set ``JDV_J01_XdsAuthorSpecialty_CISIS.xml`` (IHE SVS XML) lists, for each
profession of TRE_G15, the specialties and qualifications the RPPS records. For the médecins
(``G15_10/…``): the ordinal specialties of TRE_R38 (``G15_10/SM54`` "Médecine Générale (SM)"),
former qualifications (``C``), capacities (``CAPA``), DESC (``DSM``, ``DEC``), specialised
transversal training (``SST``)… This script copies the médecins' concepts, in the value set's
order, into ``professionnels/donnees/specialites_j01.json``, the file
``professionnels/nomenclature.py`` builds the specialty choices from. Only médecins state a
specialty here (the pharmacists' sections and the other professions' entries of J01 are not
read). It does not decide what a specialty may read: that is the matrix's data
(``professionnels/matrice.py``).

    python scripts/specialites.py                  # ../shared/data/valuesets/… → the JSON
    python scripts/specialites.py --jdv PATH --sortie PATH
    python scripts/specialites.py --verifier       # exit 1 if the committed JSON differs

Nothing else is read: the value set is parsed without DTD, entities or network. Only the
standard library and lxml (a dependency of the project) are used; no Django.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from lxml import etree

RACINE = Path(__file__).resolve().parent.parent
JDV_PAR_DEFAUT = (
    RACINE.parent / "shared" / "data" / "valuesets" / "JDV_J01_XdsAuthorSpecialty_CISIS.xml"
)
SORTIE_PAR_DEFAUT = RACINE / "professionnels" / "donnees" / "specialites_j01.json"
SVS = "{urn:ihe:iti:svs:2008}"
# "G15_10/SM54": profession 10 (médecin, TRE_G15), specialty SM54.
_CODE = re.compile(r"^G15_(?P<profession>10)/(?P<specialite>[A-Z0-9]{1,8})$")
_PREFIXE = "Médecin - "


class JeuDeValeursInvalide(Exception):
    """The file is not a readable IHE SVS value set."""


def _libelle(affiche: str) -> str:
    """ "Médecin - Médecine Générale (SM)" → "Médecine Générale": the profession is said by
    its own field; "(SM)", the ordinal specialty, is the common case and goes; the other
    marks stay, they tell two entries of the same name apart ("Allergologie (CAPA)")."""
    libelle = " ".join(affiche.split()).removeprefix(_PREFIXE)
    return libelle.removesuffix(" (SM)").strip()


def lire_jdv(contenu: bytes) -> dict[str, Any]:
    """The value set's identity and its specialties (profession, code, label, label as
    published), in its order."""
    parseur = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        racine = etree.fromstring(contenu, parseur)
    except etree.XMLSyntaxError as erreur:
        raise JeuDeValeursInvalide(f"XML illisible : {erreur}") from None
    jeu = racine.find(f"{SVS}ValueSet")
    if jeu is None:
        raise JeuDeValeursInvalide("pas d'élément ValueSet (IHE SVS)")
    specialites = []
    vus: set[tuple[str, str]] = set()
    for concept in jeu.iter(f"{SVS}Concept"):
        trouve = _CODE.match((concept.get("code") or "").strip())
        if trouve is None:
            continue  # a profession alone, a role, a device: not a specialty
        cle = (trouve["profession"], trouve["specialite"])
        if cle in vus:
            raise JeuDeValeursInvalide(f"la spécialité {'/'.join(cle)} apparaît deux fois")
        vus.add(cle)
        affiche = " ".join((concept.get("displayName") or "").split())
        specialites.append(
            {
                "profession": trouve["profession"],
                "code": trouve["specialite"],
                "libelle": _libelle(affiche) or trouve["specialite"],
                "libelle_officiel": affiche,
            }
        )
    if not specialites:
        raise JeuDeValeursInvalide("aucune spécialité de médecin (codes G15_10/…)")
    return {
        "genere_par": "scripts/specialites.py (ne pas modifier à la main)",
        "jeu_de_valeurs": {
            "oid": jeu.get("id", ""),
            "nom": jeu.get("displayName", ""),
            "date_maj": jeu.get("dateMaj", ""),
            "date_revision": jeu.get("revisionDate", ""),
        },
        "specialites": specialites,
    }


def en_json(table: dict[str, Any]) -> str:
    """The committed form: stable, one specialty per line, accents as they are."""
    entete = {cle: valeur for cle, valeur in table.items() if cle != "specialites"}
    debut = json.dumps(entete, ensure_ascii=False, indent=1).removesuffix("\n}")
    lignes = ",\n".join(f"  {json.dumps(s, ensure_ascii=False)}" for s in table["specialites"])
    return f'{debut},\n "specialites": [\n{lignes}\n ]\n}}\n'


def main(arguments: list[str] | None = None) -> int:
    analyse = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    analyse.add_argument("--jdv", type=Path, default=JDV_PAR_DEFAUT, help="JDV_J01 (SVS XML)")
    analyse.add_argument("--sortie", type=Path, default=SORTIE_PAR_DEFAUT, help="JSON à écrire")
    analyse.add_argument(
        "--verifier", action="store_true", help="comparer au fichier sans l'écrire"
    )
    options = analyse.parse_args(arguments)
    if not options.jdv.exists():
        print(f"Jeu de valeurs introuvable : {options.jdv}", file=sys.stderr)
        return 2
    try:
        table = lire_jdv(options.jdv.read_bytes())
    except JeuDeValeursInvalide as erreur:
        print(f"{options.jdv} : {erreur}", file=sys.stderr)
        return 2
    texte = en_json(table)
    if options.verifier:
        actuel = options.sortie.read_text("utf-8") if options.sortie.exists() else ""
        if actuel != texte:
            print(f"{options.sortie} ne correspond pas au jeu de valeurs : relancez le script.")
            return 1
    else:
        options.sortie.parent.mkdir(parents=True, exist_ok=True)
        options.sortie.write_text(texte, "utf-8")
    print(f"{len(table['specialites'])} spécialités de médecins")
    return 0


if __name__ == "__main__":
    sys.exit(main())
