"""Generate the table of document types from the national value set JDV_J07 (docs/TYPES.md).

The CI-SIS value set ``JDV_J07_XdsTypeCode_CISIS.xml`` (IHE SVS XML) gives the facts: each
type's code, code system and label. This script copies them, in the value set's order, into
``dossier/donnees/types_j07.json``, the file ``dossier/types.py`` builds its table from. It does
not choose categories: that is our data, in ``dossier/donnees/categories_types.toml``; the
script only says which codes have none yet.

    python scripts/types_documents.py                 # ../shared/data/valuesets/… → the JSON
    python scripts/types_documents.py --jdv PATH --sortie PATH
    python scripts/types_documents.py --verifier      # exit 1 if the committed JSON differs

Nothing else is read: the value set is parsed without DTD, entities or network. Only the
standard library and lxml (a dependency of the project) are used; no Django.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from pathlib import Path
from typing import Any

from lxml import etree

RACINE = Path(__file__).resolve().parent.parent
JDV_PAR_DEFAUT = RACINE.parent / "shared" / "data" / "valuesets" / "JDV_J07_XdsTypeCode_CISIS.xml"
SORTIE_PAR_DEFAUT = RACINE / "dossier" / "donnees" / "types_j07.json"
CATEGORIES = RACINE / "dossier" / "donnees" / "categories_types.toml"
SVS = "{urn:ihe:iti:svs:2008}"


class JeuDeValeursInvalide(Exception):
    """The file is not a readable IHE SVS value set."""


def lire_jdv(contenu: bytes) -> dict[str, Any]:
    """The value set's identity and its concepts (code, code system, label), in its order."""
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
    concepts = []
    vus: set[str] = set()
    for concept in jeu.iter(f"{SVS}Concept"):
        code = (concept.get("code") or "").strip()
        if not code:
            raise JeuDeValeursInvalide("un concept sans code")
        if code in vus:
            raise JeuDeValeursInvalide(f"le code {code} apparaît deux fois")
        vus.add(code)
        concepts.append(
            {
                "code": code,
                "systeme": (concept.get("codeSystem") or "").strip(),
                "libelle": " ".join((concept.get("displayName") or "").split()),
            }
        )
    if not concepts:
        raise JeuDeValeursInvalide("aucun concept")
    return {
        "genere_par": "scripts/types_documents.py (ne pas modifier à la main)",
        "jeu_de_valeurs": {
            "oid": jeu.get("id", ""),
            "nom": jeu.get("displayName", ""),
            "date_maj": jeu.get("dateMaj", ""),
            "date_revision": jeu.get("revisionDate", ""),
        },
        "concepts": concepts,
    }


def en_json(table: dict[str, Any]) -> str:
    """The committed form: stable, one concept per line, accents as they are."""
    entete = {cle: valeur for cle, valeur in table.items() if cle != "concepts"}
    debut = json.dumps(entete, ensure_ascii=False, indent=1).removesuffix("\n}")
    concepts = ",\n".join(f"  {json.dumps(c, ensure_ascii=False)}" for c in table["concepts"])
    return f'{debut},\n "concepts": [\n{concepts}\n ]\n}}\n'


def sans_categorie(table: dict[str, Any], categories: Path = CATEGORIES) -> list[str]:
    """The codes of the value set that our category file does not place."""
    if not categories.exists():
        return [c["code"] for c in table["concepts"]]
    places = {
        code
        for codes in tomllib.loads(categories.read_text("utf-8"))["categories"].values()
        for code in codes
    }
    return [c["code"] for c in table["concepts"] if c["code"] not in places]


def main(arguments: list[str] | None = None) -> int:
    analyse = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    analyse.add_argument("--jdv", type=Path, default=JDV_PAR_DEFAUT, help="JDV_J07 (SVS XML)")
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
    manquants = sans_categorie(table)
    print(f"{len(table['concepts'])} types ; sans catégorie : {', '.join(manquants) or 'aucun'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
