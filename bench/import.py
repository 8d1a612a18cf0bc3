#!/usr/bin/env python
"""DMP import benchmark: documents/s imported from many XDM archives by 2 real Celery workers,
against the direct deposit of the same documents measured in the same run.

    .venv/bin/python bench/import.py [--archives 40] [--documents 25] [--concurrence 4]

A dedicated PostgreSQL database (``espace_sante_import``, dropped and created again, migrated),
a dedicated Redis database (13 by default: the only one flushed), blobs under a temporary
``VAR_DIR``, one Celery worker (prefork, ``--concurrency 2``: DESIGN.md §9's two workers).
``--archives`` archives, one per space, each of ``--documents`` CI-SIS-shaped CDA documents
(``ensemble.demo``), written to a temporary folder. Two phases, each timed from its start until
every document is "disponible" (stored encrypted, classified, its CDA facts read, journaled;
the database polled every 100 ms):

- baseline, "dépôt direct": this process calls ``document_creer`` for the same number of CDA
  documents (what a professional's deposit does); the worker ingests them;
- the import: ``archives_migrer`` (what ``manage.py import_dmp_archives`` runs) matches each
  archive to its space by INS and queues its import with at most ``--concurrence`` imports
  waiting or running; the worker reads each archive from the vault, checks it, creates each
  document (vault, row, journal, ingestion queued) and the ingestion follows.

It prints both rates, their ratio and the target (50 documents/s), then checks: every document
once and "disponible", every import's report complete, and a second run of the migration adds
nothing (idempotence).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from commun.environnement import MIB
from commun.espaces import espaces_lister
from commun.travailleurs import (
    ACTEUR,
    ANALYSES,
    SONDAGE,
    Travailleurs,
    environnement,
    preparer,
)

CIBLE = 50.0


def _arguments() -> argparse.Namespace:
    parseur = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parseur.add_argument("--archives", type=int, default=40, help="archives, one per space")
    parseur.add_argument("--documents", type=int, default=25, help="documents per archive")
    parseur.add_argument("--concurrence", type=int, default=4, help="imports queued at once")
    parseur.add_argument("--concurrency", type=int, default=2, help="worker processes")
    parseur.add_argument("--timeout", type=float, default=600.0, help="seconds per phase")
    parseur.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parseur.add_argument("--database", default="espace_sante_import")
    parseur.add_argument("--redis", default="127.0.0.1:6379", help="host:port")
    parseur.add_argument("--redis-db", type=int, default=13)
    parseur.add_argument("--conn-max-age", type=int, default=600)
    args = parseur.parse_args()
    if min(args.archives, args.documents, args.concurrence, args.concurrency) < 1:
        parseur.error("every count must be ≥ 1")
    return args


def _cda(espace: Any, rang: int) -> bytes:
    from ensemble import demo

    lignes = tuple(f"{analyse} : {rang % 97} unités" for analyse in ANALYSES)
    return demo.cda(
        ins=espace.ins, titre=f"Biologie {rang}", paragraphes=lignes, oid_ins=espace.ins_oid
    )


def _archives(espaces: list[Any], par_archive: int, dossier: Path) -> list[Path]:
    from ensemble import demo

    chemins = []
    for numero, espace in enumerate(espaces):
        documents = [
            demo.DocumentXDM(
                contenu=_cda(espace, rang),
                identifiant_unique=f"1.2.250.1.999.7.{numero}.{rang}",
                titre=f"Biologie {rang}",
            )
            for rang in range(par_archive)
        ]
        chemin = dossier / f"dmp-{numero:05d}.zip"
        chemin.write_bytes(
            demo.archive_xdm(ins=espace.ins, documents=documents, oid_ins=espace.ins_oid)
        )
        chemins.append(chemin)
    return chemins


def _attendre_disponibles(source: str, attendus: int, limite: float) -> float:
    """Seconds until ``attendus`` documents of ``source`` are "disponible"."""
    from dossier.models import Document

    debut = time.perf_counter()
    fin = time.monotonic() + limite
    while time.monotonic() < fin:
        if Document.objects.filter(source=source, statut="disponible").count() >= attendus:
            return time.perf_counter() - debut
        time.sleep(SONDAGE)
    raise SystemExit(f"ÉCHEC : documents « {source} » non disponibles après {limite:.0f} s")


def _depot_direct(espaces: list[Any], total: int) -> float:
    from dossier.models import Source
    from dossier.services import document_creer
    from espace_sante.journal.services import Acteur

    acteur = Acteur(**ACTEUR)
    choisis = [espaces[i % len(espaces)] for i in range(total)]
    entrees = [(espace, _cda(espace, rang)) for rang, espace in enumerate(choisis)]
    debut = time.perf_counter()
    for rang, (espace, contenu) in enumerate(entrees):
        document_creer(
            espace=espace,
            contenu=contenu,
            nom_fichier=f"biologie-{rang}.xml",
            titre=f"Biologie {rang}",
            date_acte=date(2026, 1, 10),
            type_code="11502-2",
            auteur=acteur,
            source=Source.PROFESSIONNEL,
            media_type="text/xml",
        )
    duree = _attendre_disponibles(Source.PROFESSIONNEL, total, 600.0)
    return total / max(duree, time.perf_counter() - debut)


def main() -> None:
    args = _arguments()
    total = args.archives * args.documents
    with tempfile.TemporaryDirectory(prefix="bench-import-") as brut:
        dossier = Path(brut)
        env = environnement(args, dossier)
        preparer(args, env, args.archives)
        espaces: list[Any] = espaces_lister()
        (dossier / "archives").mkdir()
        chemins = _archives(espaces, args.documents, dossier / "archives")
        taille = sum(c.stat().st_size for c in chemins)
        travailleurs = Travailleurs(env, dossier / "worker.log", args.concurrency)
        try:
            print(
                f"PostgreSQL {args.database}, Redis db {args.redis_db} ; {args.archives} "
                f"archives × {args.documents} documents CDA ({taille / MIB:.1f} Mio), "
                f"{args.concurrency} travailleurs, {args.concurrence} imports à la fois."
            )
            travailleurs.demarrer()
            reference = _depot_direct(espaces, total)
            print(f"référence (dépôt direct)  : {reference:7.1f} documents/s")

            from dossier.import_masse import archives_migrer, archives_trouver, migration_attendre
            from dossier.models import Document, ImportDMP, Source
            from espace_sante.journal.models import TypeActeur
            from espace_sante.journal.services import Acteur

            acteur = Acteur(type=TypeActeur.OPERATEUR, nom="bench")
            trouvees = archives_trouver(dossier / "archives").archives
            debut = time.perf_counter()
            migration = archives_migrer(
                trouvees, acteur=acteur, concurrence=args.concurrence, attente=0.05
            )
            _attendre_disponibles(Source.IMPORT_DMP, total, args.timeout)
            debit = total / (time.perf_counter() - debut)
            print(f"import DMP (2 travailleurs) : {debit:7.1f} documents/s")
            print(f"ratio import / dépôt direct : {debit / reference:.2f}")
            print(f"cible {CIBLE:.0f} documents/s : {'atteinte' if debit >= CIBLE else 'MANQUÉE'}")

            bilan = migration_attendre(migration, delai=60)
            importes = Document.objects.filter(source=Source.IMPORT_DMP)
            distincts = importes.values("espace", "identifiant_unique").distinct().count()
            print(
                f"vérification : {importes.count()} documents importés (attendu {total}), "
                f"{distincts} distincts, {bilan.terminees} imports terminés, rapports : "
                f"{bilan.importes} importés, {bilan.refuses} refusés"
            )
            encore = archives_migrer(trouvees, acteur=acteur, concurrence=args.concurrence)
            print(
                f"seconde migration : {len(encore.deja_importees)} archives déjà importées, "
                f"{len(encore.programmees)} programmées"
            )
            if (
                importes.count() != total
                or distincts != total
                or bilan.importes != total
                or len(encore.deja_importees) != args.archives
                or ImportDMP.objects.count() != args.archives
            ):
                raise SystemExit("ÉCHEC de la vérification")
        finally:
            travailleurs.arreter()


if __name__ == "__main__":
    main()
