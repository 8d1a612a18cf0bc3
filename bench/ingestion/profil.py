"""``--profile K`` of the ingestion bench: ``document_creer`` and ``document_ingerer`` run in
this process for K documents of each kind with each stage timed (CPU and wall, no profiler),
then for K more under cProfile (CPU clock) for the ORM's share and the costliest functions."""

from __future__ import annotations

import cProfile
import io
import pstats
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from commun.environnement import RACINE
from commun.espaces import espaces_lister
from commun.travailleurs import Travailleurs

from ingestion.entrees import Forme, entrees_preparer, soumettre
from ingestion.mesure import Phase


class Chrono:
    """CPU and wall seconds accumulated by stage (no profiler: the figures are the real ones).
    A stage called within another (the vault's row insert within its store-and-insert) counts
    in the outer one only, so that stages never overlap."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = {}
        self.mur: dict[str, float] = {}
        self.dans_une_etape = False

    @contextmanager
    def mesurer(self, nom: str) -> Iterator[None]:
        if self.dans_une_etape:
            yield
            return
        self.dans_une_etape = True
        cpu, mur = time.process_time(), time.perf_counter()
        try:
            yield
        finally:
            self.dans_une_etape = False
            self.cpu[nom] = self.cpu.get(nom, 0.0) + time.process_time() - cpu
            self.mur[nom] = self.mur.get(nom, 0.0) + time.perf_counter() - mur


def _envelopper(chrono: Chrono, nom: str, fonction: Any, generateur: bool) -> Any:
    def enveloppe(*args: Any, **kwargs: Any) -> Any:
        with chrono.mesurer(nom):
            return fonction(*args, **kwargs)

    def enveloppe_generateur(*args: Any, **kwargs: Any) -> Iterator[Any]:
        iterateur = fonction(*args, **kwargs)
        while True:
            with chrono.mesurer(nom):
                try:
                    element = next(iterateur)
                except StopIteration:
                    return
            yield element

    return enveloppe_generateur if generateur else enveloppe


@contextmanager
def _instrumenter(chrono: Chrono) -> Iterator[None]:
    """The pipeline's stages timed where the services call them (module attributes)."""
    from dossier import ingestion as dossier_ingestion
    from dossier import services as dossier_services
    from dossier.formats import apercus, detection, pdf, validation
    from dossier.formats.cda import lecture
    from dossier.resultats import lecture as resultats
    from dossier.tasks import document_ingerer
    from espace_sante.coffre import services as coffre

    cibles: list[tuple[Any, str, str, bool]] = [
        (detection, "detecter", "détecter la nature (fichiers.detecter)", False),
        (coffre, "blob_ecrire_octets", "chiffrer + écrire + INSERT du Blob", False),
        (dossier_services, "evenement_enregistrer", "journal (evenement_enregistrer)", False),
        (document_ingerer, "delay", "envoi Celery (document_ingerer.delay)", False),
        (coffre, "blob_lire", "lire + déchiffrer + SHA-256 (blob_lire)", True),
        (validation, "decrire", "valider : pypdf + PDFium (fichiers.decrire)", False),
        (lecture, "lire_cda", "lire le CDA (cda.lire_cda)", False),
        (resultats, "lire", "résultats : lire les observations (resultats.lire)", False),
        (resultats, "enregistrer", "résultats : chiffrer + INSERT (enregistrer)", False),
        (pdf, "_rendre_page", "miniature : rendu PDFium (_rendre_page)", False),
        (apercus, "_jpeg", "miniature : encodage JPEG (fichiers._jpeg)", False),
        (apercus, "_png", "aperçus : encodage PNG (fichiers._png)", False),
        (coffre, "blob_stocker", "aperçus : chiffrer + écrire (blob_stocker)", False),
        (coffre, "blob_enregistrer", "INSERT d'un Blob (blob_enregistrer)", False),
        (dossier_ingestion, "_prendre", "prendre le document (services._prendre)", False),
    ]
    originaux = [(objet, attribut, getattr(objet, attribut)) for objet, attribut, *_ in cibles]
    try:
        for objet, attribut, nom, generateur in cibles:
            setattr(objet, attribut, _envelopper(chrono, nom, getattr(objet, attribut), generateur))
        yield
    finally:
        for objet, attribut, original in originaux:
            setattr(objet, attribut, original)


def _decomposer(titre: str, chrono: Chrono, nombre: int, mur: float, cpu: float) -> None:
    print(
        f"\n{titre} — {nombre} documents en série dans ce processus : "
        f"{cpu / nombre * 1000:.2f} ms de CPU, {mur / nombre * 1000:.2f} ms de mur par document"
    )
    print(f"  {'étape':<48} {'CPU ms':>7} {'mur ms':>7} {'part CPU':>9}")
    for nom, duree in sorted(chrono.cpu.items(), key=lambda e: -e[1]):
        print(
            f"  {nom:<48} {duree / nombre * 1000:>7.2f} {chrono.mur[nom] / nombre * 1000:>7.2f} "
            f"{duree / cpu:>9.1%}"
        )
    reste_cpu, reste_mur = cpu - sum(chrono.cpu.values()), mur - sum(chrono.mur.values())
    print(
        f"  {'reste : ORM, SQL, COMMIT, verrous, modèles':<48} {reste_cpu / nombre * 1000:>7.2f} "
        f"{reste_mur / nombre * 1000:>7.2f} {reste_cpu / cpu:>9.1%}"
    )


GROUPES = (
    ("ORM : compilation + SQL (execute_sql)", "django/db/models/sql/compiler.py", "execute_sql"),
    ("SQL au curseur, ORM ou non (execute)", "django/db/backends/utils.py", "execute"),
    ("  dont SELECT : colonnes (get_select)", "django/db/models/sql/compiler.py", "get_select"),
    ("Model.save", "django/db/models/base.py", "save"),
    ("QuerySet.delete (aperçus)", "django/db/models/query.py", "delete"),
    ("COMMIT (atomic.__exit__)", "django/db/transaction.py", "__exit__"),
)


def _cumul(statistiques: pstats.Stats, fichier: str, fonction: str) -> float:
    total = 0.0
    for (chemin, _ligne, nom), valeurs in statistiques.stats.items():  # type: ignore[attr-defined]
        if nom == fonction and chemin.endswith(fichier):
            total += valeurs[3]
    return total


def _rapport(titre: str, profil: cProfile.Profile, nombre: int) -> None:
    """cProfile with a CPU clock: it inflates Python-heavy code (the ORM) more than C code, so
    its figures are shares, the stage timings above being the real costs."""
    statistiques = pstats.Stats(profil)
    total = sum(valeurs[2] for valeurs in statistiques.stats.values())  # type: ignore[attr-defined]
    print(f"  sous cProfile (horloge CPU, surcharge comprise), {titre} :")
    for libelle, fichier, fonction in GROUPES:
        cumul = _cumul(statistiques, fichier, fonction)
        if cumul >= 0.0005 * nombre:
            print(f"    {libelle:<42} {cumul / total:6.1%} du CPU")
    sortie = io.StringIO()
    pstats.Stats(profil, stream=sortie).sort_stats("tottime").print_stats(10)
    lignes = [ligne for ligne in sortie.getvalue().splitlines() if ligne.strip()]
    debut = next((i for i, ligne in enumerate(lignes) if "ncalls" in ligne), 0)
    print("    les 10 fonctions les plus coûteuses en CPU propre :")
    for ligne in lignes[debut : debut + 11]:
        print(f"     {ligne.replace(str(RACINE) + '/', '').replace('.venv/lib/python3.11/', '')}")


def _par_etapes(titre: str, nombre: int, fonction: Any) -> tuple[Any, float]:
    """Run ``fonction`` with its stages timed; return its result and its CPU seconds."""
    chrono = Chrono()
    with _instrumenter(chrono):
        mur, cpu = time.perf_counter(), time.process_time()
        resultat = fonction()
        mur, cpu = time.perf_counter() - mur, time.process_time() - cpu
    _decomposer(titre, chrono, nombre, mur, cpu)
    return resultat, cpu


def _sous_cprofile(titre: str, nombre: int, fonction: Any) -> Any:
    profil = cProfile.Profile(time.process_time)
    resultat = profil.runcall(fonction)
    _rapport(titre, profil, nombre)
    return resultat


def profiler(
    genre: str, forme: Forme, nombre: int, travailleurs: Travailleurs, drain: Phase | None
) -> None:
    """document_creer then document_ingerer, in this process (the worker does not consume
    meanwhile; it finds these documents done afterwards and ignores them): ``nombre``
    documents timed by stage, then as many under cProfile."""
    from dossier import ingestion

    espaces = espaces_lister()
    entrees = entrees_preparer(genre, espaces, forme, 4)

    def creer(rangs: range) -> list[int]:
        return [soumettre(genre, entrees, espaces[r % len(espaces)], r).pk for r in rangs]

    def ingerer(ids: list[int]) -> list[str]:
        return [ingestion.document_ingerer(document_id=i) for i in ids]

    travailleurs.suspendre()
    try:
        creer(range(1))  # imports and first connection, not timed
        ids, _cpu = _par_etapes(
            f"document_creer ({genre})", nombre, lambda: creer(range(1, nombre + 1))
        )
        etats, cpu = _par_etapes(f"document_ingerer ({genre})", nombre, lambda: ingerer(ids))
        if drain is not None:
            worker = drain.cpu["travailleurs"] / drain.documents
            print(
                f"  le worker a dépensé {worker * 1000:.2f} ms de CPU par document pendant le "
                f"drain ; écart avec document_ingerer seul : {(worker - cpu / nombre) * 1000:+.2f} "
                "ms (Celery : message, ack, fix-ups Django ; et le bruit de la machine)"
            )
        ids = _sous_cprofile(
            f"document_creer ({genre})", nombre, lambda: creer(range(nombre + 1, 2 * nombre + 1))
        )
        etats += _sous_cprofile(f"document_ingerer ({genre})", nombre, lambda: ingerer(ids))
        if set(etats) != {"disponible"}:
            print(f"  (états : {sorted(set(etats))})")
    finally:
        travailleurs.reprendre()
