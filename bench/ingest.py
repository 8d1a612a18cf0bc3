#!/usr/bin/env python
"""Ingestion benchmark: documents/s through the whole pipeline, with 2 real Celery workers.

    .venv/bin/python bench/ingest.py [--documents 500] [--kinds pdf,cda] [--producers 1]
                                     [--pdf-kb 100] [--spaces 20] [--profile K]

A dedicated PostgreSQL database (``espace_sante_ingest``, dropped and created again at each
run, then migrated), a dedicated Redis database (14 by default: the only one flushed), blobs
under a temporary ``VAR_DIR``. One real Celery worker (prefork, ``--concurrency 2``: the two
workers of DESIGN.md §9) consumes the ``celery`` queue; producer processes call
``dossier.services.document_creer`` in a loop (sniff, encrypt and store, Document row, journal
event, task queued on commit); the worker runs ``document_ingerer`` (decrypt, check, classify,
previews encrypted and stored, "disponible"). Inputs: one-page letters made by
``ensemble.demo.pdf`` (a page image, as a scanned letter, sized to ``--pdf-kb``), CI-SIS-shaped
biology reports made by ``ensemble.demo.cda`` for each space's INS (``cda``: structured body;
``cda-pdf``: level 1, the letter embedded), and structured lab reports (``cda-bio``: CR-BIO
level 3, 20 coded results each, read into the space's results at ingestion; made by
``bench/ingestion/cr_bio.py``).

For each kind of document, two phases of ``--documents`` documents each:

- end to end: producers and workers together; from the first submission until the last
  document is "disponible" (the database polled every 100 ms);
- drain only: the worker stops consuming (``cancel_consumer``), the producers submit everything
  (the producer-side rate, alone), then the worker consumes again (``add_consumer``: its
  processes are already warm) and the queue is timed until every document is "disponible"
  (the worker-side rate).

The machine is shared: before each phase the bench waits (``--quiet-wait`` seconds at most) for
other programs to use less than ``--quiet`` cores, and it accounts for the CPU time of everyone
during each phase (worker pool, producers, the PostgreSQL backends of the bench database, this
process, and "autres": the rest of the machine). It prints the measured rates and the CPU
ceiling, the number of cores divided by our CPU time per document: what the rate would be if the
machine were ours alone.

Then everything is checked: every document "disponible", a sample of blobs (documents and
previews) read back and authenticated (``blob_verifier``) with the expected SHA-256, previews
(PDF thumbnails) or CDA facts present, one "document déposé" journal event per document and the
spaces' journal chains intact.

``--profile K`` also runs ``document_creer`` and ``document_ingerer`` in this process for K
documents of each kind with each stage timed (CPU and wall, no profiler), then for K more under
cProfile (CPU clock) for the ORM's share and the costliest functions.

Its own parts are in ``bench/ingestion/`` (inputs, producers, CPU accounting, checks, profile);
the setup it shares with ``import.py`` and ``sync.py`` (environment, database, Redis, worker) in
``bench/commun/``.
"""

from __future__ import annotations

import argparse
import os
import signal
import tempfile
import time
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

from commun.environnement import interrompre
from commun.espaces import espaces_lister
from commun.travailleurs import (
    FILE,
    SONDAGE,
    Travailleurs,
    environnement,
    longueur_file,
    preparer,
    redis_vider,
)
from ingestion.entrees import TYPES, Forme, entrees_preparer, forme_pour, soumettre
from ingestion.mesure import Phase, Releve, SuiviPostgres, attendre_calme
from ingestion.producteurs import Producteurs, producteur
from ingestion.profil import profiler
from ingestion.verification import verifier

CIBLE = 50.0  # documents/s, DESIGN.md §9


# --- Measurement -------------------------------------------------------------------------------


def _dernier_pk() -> int:
    from dossier.models import Document

    return Document.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _etats(premier_pk: int) -> dict[str, int]:
    from django.db.models import Count

    from dossier.models import Document

    lignes = (
        Document.objects.filter(pk__gt=premier_pk)
        .values("statut")
        .annotate(nombre=Count("pk"))
        .order_by()
    )
    return {ligne["statut"]: ligne["nombre"] for ligne in lignes}


def _attendre(
    premier_pk: int,
    documents: int,
    limite: float,
    producteurs: Producteurs | None,
    postgres: SuiviPostgres | None = None,
) -> tuple[float, int, bool]:
    """Poll every 100 ms until ``documents`` documents after ``premier_pk`` are "disponible";
    return (monotonic time of the poll that saw it, errors, complete)."""
    from dossier.models import Statut

    while True:
        etats = _etats(premier_pk)
        maintenant = time.monotonic()
        erreurs = etats.get(Statut.EN_ERREUR, 0)
        if etats.get(Statut.DISPONIBLE, 0) + erreurs >= documents:
            return maintenant, erreurs, erreurs == 0
        if maintenant > limite:
            return maintenant, erreurs, False
        if producteurs is not None and producteurs.echoues():
            raise RuntimeError(f"a producer failed: {producteurs.echoues()}")
        if postgres is not None:
            postgres.maj()
        time.sleep(SONDAGE)


def _attendre_vide(delai: float) -> None:
    """Nothing left "en traitement" from an earlier phase (one that timed out) before the next."""
    from dossier.models import Document, Statut

    limite = time.monotonic() + delai
    while (restants := Document.objects.filter(statut=Statut.EN_TRAITEMENT).count()) > 0:
        if time.monotonic() > limite:
            print(f"  ({restants} documents encore en traitement d'une phase précédente)")
            return
        time.sleep(SONDAGE)


def _phase(
    args: argparse.Namespace,
    genre: str,
    forme: Forme,
    travailleurs: Travailleurs,
    env: dict[str, str],
    dossier: Path,
    *,
    drainer: bool,
) -> Phase:
    """One measurement: ``drainer`` False, producers and workers together; True, the worker
    stops consuming, the producers submit everything, then the worker drains the queue."""
    _attendre_vide(args.timeout)
    producteurs = Producteurs(env, dossier / "producteurs.log")
    try:
        premier_pk = _dernier_pk()
        producteurs.preparer(
            genre, args.documents, args.producers, forme, args.variants, delai=120.0
        )
        if drainer:
            travailleurs.suspendre()
        charge = attendre_calme(travailleurs, args.quiet, args.quiet_wait)
        postgres = SuiviPostgres()
        avant = Releve.maintenant(travailleurs)
        debut = time.monotonic()
        producteurs.lancer()
        limite = debut + args.timeout
        if drainer:
            resultats = producteurs.resultats(delai=args.timeout)
            en_file = longueur_file(env["REDIS_URL"])
            if en_file != args.documents:
                print(f"  (file {FILE} : {en_file} messages pour {args.documents} documents)")
            charge_drain = attendre_calme(travailleurs, args.quiet, args.quiet_wait)
            charge = max(charge, charge_drain)
            postgres = SuiviPostgres()
            avant = Releve.maintenant(travailleurs)
            debut = time.monotonic()
            travailleurs.reprendre()
            limite = debut + args.timeout
            fin, erreurs, complet = _attendre(premier_pk, args.documents, limite, None, postgres)
        else:
            fin, erreurs, complet = _attendre(
                premier_pk, args.documents, limite, producteurs, postgres
            )
            resultats = producteurs.resultats(delai=max(10.0, limite - time.monotonic()))
        postgres.maj()
        cpu = Releve.maintenant(travailleurs).depuis(
            avant, 0.0 if drainer else sum(r["cpu"] for r in resultats), postgres.total()
        )
    finally:
        producteurs.arreter()
    return Phase(
        genre=genre,
        documents=args.documents,
        duree=fin - debut,
        producteur_duree=max(r["dernier"] for r in resultats)
        - min(r["premier"] for r in resultats),
        producteur_cpu=sum(r["cpu"] for r in resultats),
        cpu=cpu,
        charge_avant=charge,
        taille=sum(r["taille"] for r in resultats),
        premier_pk=premier_pk,
        empreintes={e for r in resultats for e in r["empreintes"]},
        erreurs=erreurs,
        complet=complet,
    )


def _echauffer(genre: str, forme: Forme, nombre: int, delai: float) -> None:
    """A few documents through the workers first: pool processes import and connect."""
    espaces = espaces_lister()
    entrees = entrees_preparer(genre, espaces[:1], forme, 1)
    premier_pk = _dernier_pk()
    for rang in range(nombre):
        soumettre(genre, entrees, espaces[0], rang)
    _fin, erreurs, complet = _attendre(premier_pk, nombre, time.monotonic() + delai, None)
    if not complet:
        raise RuntimeError(f"warm-up ({genre}): {erreurs} errors or timeout; see the worker log")


# --- Main --------------------------------------------------------------------------------------


def _arguments() -> argparse.Namespace:
    parseur = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parseur.add_argument("--documents", "-n", type=int, default=500, help="per kind and phase")
    parseur.add_argument(
        "--kinds", default="pdf,cda", help="pdf, cda, cda-pdf (level 1), cda-bio (CR-BIO level 3)"
    )
    parseur.add_argument("--producers", type=int, default=1, help="producer processes")
    parseur.add_argument("--concurrency", type=int, default=2, help="worker processes")
    parseur.add_argument("--pdf-kb", type=int, default=100, help="target PDF size, KiB")
    parseur.add_argument("--variants", type=int, default=8, help="distinct contents per kind")
    parseur.add_argument("--spaces", type=int, default=20, help="spaces, used in turn")
    parseur.add_argument("--sample", type=int, default=25, help="blobs read back per phase")
    parseur.add_argument("--timeout", type=float, default=300.0, help="seconds per phase")
    parseur.add_argument("--profile", type=int, default=0, metavar="K", help="cProfile K docs")
    parseur.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parseur.add_argument("--database", default="espace_sante_ingest")
    parseur.add_argument("--redis", default="127.0.0.1:6379", help="host:port")
    parseur.add_argument("--redis-db", type=int, default=14)
    parseur.add_argument("--conn-max-age", type=int, default=600)
    parseur.add_argument(
        "--quiet", type=float, default=0.2, help="cores other programs may use before a phase"
    )
    parseur.add_argument(
        "--quiet-wait", type=float, default=60.0, help="seconds to wait for that, at most"
    )
    parseur.add_argument("--producteur", nargs=6, help=argparse.SUPPRESS)
    args = parseur.parse_args()
    genres = args.kinds.split(",")
    if not set(genres) <= set(TYPES) or not genres:
        parseur.error(f"--kinds: among {', '.join(TYPES)}")
    if args.documents < 1 or args.producers < 1 or args.concurrency < 1 or args.spaces < 1:
        parseur.error("--documents, --producers, --concurrency and --spaces must be ≥ 1")
    if not 0 <= args.redis_db <= 15:
        parseur.error("--redis-db: 0 to 15")
    args.genres = genres
    return args


def _par_doc(phase: Phase, *noms: str) -> float:
    """CPU milliseconds per document of these parties during the phase."""
    return sum(phase.cpu[nom] for nom in noms) / phase.documents * 1000


def _coeurs(phase: Phase) -> str:
    cpu, duree = phase.cpu, phase.duree
    parts = ("travailleurs", "producteurs", "postgres", "bench", "autres")
    detail = ", ".join(
        f"{nom} {cpu[nom] / duree:.2f}" for nom in parts if cpu[nom] or nom == "autres"
    )
    return (
        f"machine occupée {cpu['machine'] / cpu['total']:.0%} (cœurs : {detail}) ; "
        f"autres programmes juste avant : {phase.charge_avant:.2f} cœur"
    )


def _tableau(resultats: dict[str, tuple[Phase, Phase]], coeurs: int) -> Iterator[str]:
    entete = (
        f"{'type':<8} {'N':>5} {'taille moy.':>11} {'bout en bout':>13} {'drain seul':>11} "
        f"{'producteur seul':>16} {'plafond CPU b.e.b.':>19} {'plafond drain':>14} "
        f"{'autres cœurs':>12}  bout en bout ≥ {CIBLE:g}/s"
    )
    yield entete
    yield "-" * len(entete)
    for genre, (bout, drain) in resultats.items():
        ok = bout.complet and drain.complet and bout.debit >= CIBLE
        verdict = "OK" if ok else "NON" + ("" if bout.complet and drain.complet else " (incomplet)")
        plafond_bout = coeurs * 1000 / _par_doc(bout, "travailleurs", "producteurs", "postgres")
        plafond_drain = coeurs * 1000 / _par_doc(drain, "travailleurs", "postgres")
        yield (
            f"{genre:<8} {bout.documents:>5} {bout.taille / bout.documents / 1024:>7.1f} Kio "
            f"{bout.debit:>9.1f} d/s {drain.debit:>7.1f} d/s {drain.debit_producteur:>12.1f} d/s "
            f"{plafond_bout:>15.1f} d/s {plafond_drain:>10.1f} d/s "
            f"{bout.cpu['autres'] / bout.duree:>5.2f}/{drain.cpu['autres'] / drain.duree:<5.2f}  "
            f"{verdict}"
        )
    yield ""
    yield (
        f"Plafond CPU : {coeurs} cœurs divisés par le temps CPU par document de nos processus "
        "(workers + producteur + PostgreSQL ; drain : workers + PostgreSQL), le débit si la "
        "machine n'était qu'à nous. Autres cœurs : moyenne des cœurs pris par le reste de la "
        "machine pendant la phase (bout en bout/drain)."
    )
    for genre, (bout, drain) in resultats.items():
        yield (
            f"  {genre} CPU par document : worker {_par_doc(drain, 'travailleurs'):.1f} ms "
            f"(dont processus principal {_par_doc(drain, 'principal'):.1f} ms), "
            f"PostgreSQL (côté worker) {_par_doc(drain, 'postgres'):.1f} ms, producteur "
            f"{drain.producteur_cpu / drain.documents * 1000:.1f} ms ; bout en bout, tous "
            f"processus à nous : {_par_doc(bout, 'travailleurs', 'producteurs', 'postgres'):.1f} ms"
        )
        yield (
            f"  {genre} bout en bout : {bout.duree:.2f} s, producteur "
            f"{bout.producteur_duree:.2f} s ({bout.debit_producteur:.1f} d/s) ; {_coeurs(bout)}"
        )
        yield (
            f"  {genre} drain seul   : {drain.duree:.2f} s (producteur seul "
            f"{drain.producteur_duree:.2f} s) ; {_coeurs(drain)}"
        )


def main() -> None:
    args = _arguments()
    if args.producteur:
        genre, numero, nombre, pas, forme, variantes = args.producteur
        pages, lignes = (int(n) for n in forme.split(":"))
        producteur(genre, int(numero), int(nombre), int(pas), (pages, lignes), int(variantes))
        return
    signal.signal(signal.SIGTERM, interrompre)
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as brut:
        dossier = Path(brut)
        env = environnement(args, dossier)
        debut = time.perf_counter()
        preparer(args, env, args.spaces)
        from django.db import connection

        forme = forme_pour(args.pdf_kb)
        print(
            f"PostgreSQL {args.database} (recréée, migrée), Redis db {args.redis_db}, "
            f"{args.spaces} espaces ; préparation {time.perf_counter() - debut:.1f} s."
        )
        if {"pdf", "cda-pdf"} & set(args.genres):
            print(f"Courriers PDF : {forme[0]} page(s) image, {forme[1]} lignes de texte.")
        print(
            f"1 worker Celery prefork --concurrency {args.concurrency} (file « {FILE} »), "
            f"{args.producers} producteur(s), {args.documents} documents par type et par phase, "
            f"CONN_MAX_AGE={args.conn_max_age}, DEBUG off, {os.cpu_count()} cœurs."
        )
        travailleurs = Travailleurs(env, dossier / "worker.log", args.concurrency)
        resultats: dict[str, tuple[Phase, Phase]] = {}
        problemes: list[str] = []
        try:
            travailleurs.demarrer()
            for genre in args.genres:
                _echauffer(genre, forme, 4 * args.concurrency, delai=120.0)
                bout = _phase(args, genre, forme, travailleurs, env, dossier, drainer=False)
                print(f"  {genre}: bout en bout {bout.debit:.1f} documents/s", flush=True)
                drain = _phase(args, genre, forme, travailleurs, env, dossier, drainer=True)
                print(
                    f"  {genre}: producteur seul {drain.debit_producteur:.1f} documents/s, "
                    f"drain seul {drain.debit:.1f} documents/s",
                    flush=True,
                )
                resultats[genre] = (bout, drain)
                problemes += verifier([bout, drain], args.sample)
            if args.profile:
                for genre in args.genres:
                    drain = resultats[genre][1] if genre in resultats else None
                    profiler(genre, forme, args.profile, travailleurs, drain)
        finally:
            travailleurs.arreter()
            connection.close()
            with suppress(Exception):
                redis_vider(env["REDIS_URL"])
            journal = dossier / "worker.log"
            if journal.exists() and journal.stat().st_size:
                texte = journal.read_text(errors="replace")
                if "Traceback" in texte or "ERROR" in texte:
                    print(f"(journal du worker, fin : {texte[-3000:]})")
            producteurs = dossier / "producteurs.log"
            if producteurs.exists() and producteurs.stat().st_size:
                print(
                    f"(erreurs des producteurs : {producteurs.read_text(errors='replace')[-3000:]})"
                )

    print()
    for ligne in _tableau(resultats, os.cpu_count() or 1):
        print(ligne)
    print()
    if problemes:
        print(f"Vérifications : {len(problemes)} problème(s)")
        for probleme in problemes[:30]:
            print(f"  - {probleme}")
        raise SystemExit(1)
    print(
        f"Vérifications : tous les documents « disponible », {args.sample} blobs par phase "
        "relus et authentifiés (documents et aperçus, SHA-256 attendue), un événement « déposé » "
        "par document, chaînes du journal intactes."
    )


if __name__ == "__main__":
    main()
