#!/usr/bin/env python
"""Pages benchmark: the Documents page (or the Résultats page, or the Messagerie inbox) against
a bare template view, under gunicorn.

    .venv/bin/python bench/pages.py [--spaces 100000] [--documents 2000] [--duration 10]
                                    [--concurrency 2] [--conn-max-age 600] [--reset]
                                    [--database NAME] [--redis redis://127.0.0.1:6379/13]
                                    [--page resultats [--lab-reports 50]]
                                    [--page messagerie [--threads 500] [--messages 5000]]

A holder with ``--documents`` documents, in a PostgreSQL database of ``--spaces`` spaces (a
dedicated database, ``espace_sante_bench`` by default, loaded once and reused while its counts
match the options). Both pages are served by the same gunicorn (sync workers) with the
portal's settings and middleware, for the same logged-in user (session with its second factor
already checked): the Documents page ``/espace/<uuid>/documents/`` and ``/bench/nu/``, a view
that renders ``base.html`` with an empty content block (``commun/web.py``'s ``vue_nue``, mounted
by a URLconf written at run time next to a settings module that only changes ``ROOT_URLCONF``).

With ``--page resultats`` the page measured is the holder's Résultats page
``/espace/<uuid>/resultats/`` (each analysis with its latest value): ``--lab-reports``
structured lab reports' worth of results (20 each) on the holder's documents, 2 on the second
holder's (``commun/resultats.py``), and the query counts are those of both holders' pages read
from the database, then of the first one's from the cache (the list is cached for the patient's
side while the space's documents do not change: docs/RESULTATS.md); the throughput is measured
as a returning reader finds it, the cache warm.

With ``--page messagerie`` the page measured is the holder's inbox (``messagerie:boite``, 25
threads a page, each with its unread count and attachment mark): ``--threads`` threads with
``--messages`` messages in all between the holder and 10 professionals (``commun/messagerie.py``),
against the second holder's 3 threads for the query counts.

Prints, in one run: the SQL queries of the Documents page (in-process, for 2,000 documents and
for a holder with a few, first and last page), then requests/s and p50/p99 latency of both
pages and their ratio (target ≥ 0.4). Each of ``--rounds`` rounds warms both pages up, then
measures each for ``--duration`` seconds cut in ``--slices`` slices interleaved A B B A…, so
that both pages see the same (noisy) machine; the table shows the medians of the rounds.
Everything this script starts (gunicorn) is stopped on exit, error or SIGTERM.

With ``--browser`` (issue 20, point 10) the static files are collected first as in production
(compressed, hashed names: ``STATIC_MANIFESTE=1``, served by WhiteNoise under gunicorn), and the
script then loads, in headless Chromium (``/usr/bin/chromium``), each page cold — a new browser
context every time, so an empty cache — ``--loads`` times: the Documents page with all its
assets, ``base.html`` alone (same assets), and ``/sante/`` (a few bytes, no asset: the
baseline). It prints the median time from navigation start to the ``load`` event, the bytes
transferred, and the ratio against the baseline; target: Documents < 300 ms.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from commun.environnement import cles, django_demarrer, interrompre
from commun.espaces import nir
from commun.messagerie import messagerie_preparer
from commun.postgres import base_creer, migrer
from commun.processus import arreter
from commun.resultats import resultats_preparer
from commun.web import CHEMIN_NU, HOTE, gunicorn, percentile, reglages_ecrire, tranche

if TYPE_CHECKING:
    from django.test import Client

EMAIL = "bench-pages@exemple.test"
EMAIL_PETIT = "bench-pages-petit@exemple.test"
DOCUMENTS_PETIT = 30  # a second holder, a few documents: the query count must not change
RAPPORTS_PETIT = 2  # the second holder's lab reports (--page resultats)
FILS_PETIT = 3  # the second holder's threads (--page messagerie)
SECRET_TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 (a fictitious bench account)
MOT_DE_PASSE = "un-mot-de-passe-de-bench-42"
LOT = 5000


# --- Environment and database ------------------------------------------------------------------


def _environnement(args: argparse.Namespace, dossier: Path) -> dict[str, str]:
    """The environment of this process and of gunicorn: same settings, same database."""
    valeurs = {
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": reglages_ecrire(dossier),
        "DJANGO_ENV": "development",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"{args.postgres.rstrip('/')}/{args.database}",
        "CONN_MAX_AGE": str(args.conn_max_age),
        "VAR_DIR": str(dossier / "var"),
        **cles("pages"),
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(valeurs)
    for nom in ("REDIS_URL", "S3_BUCKET", "ENCRYPTION_KEYS_FILE", "ENCRYPTION_ACTIVE_KEY"):
        os.environ.pop(nom, None)
    if args.redis:  # the cache of a deployment (each worker's own memory otherwise)
        os.environ["REDIS_URL"] = args.redis
    return dict(os.environ)


# --- Data --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Donnees:
    espace: str  # uuid of the bench holder's space
    espace_petit: str
    chargees_en: float | None  # seconds, None when reused


def _documents_attendus(args: argparse.Namespace) -> int:
    return args.documents + DOCUMENTS_PETIT + args.other_documents


def _donnees_pretes(args: argparse.Namespace) -> Donnees | None:
    from dossier.models import Document
    from profil.models import Espace

    espace = Espace.objects.filter(titulaire__email=EMAIL).first()
    petit = Espace.objects.filter(titulaire__email=EMAIL_PETIT).first()
    if (
        espace is None
        or petit is None
        or Espace.objects.count() != args.spaces
        or Document.objects.filter(espace=espace).count() != args.documents
        or Document.objects.count() != _documents_attendus(args)
    ):
        return None
    return Donnees(str(espace.uuid), str(petit.uuid), None)


def _titulaire(email: str, prenom: str, nom: str) -> Any:
    from allauth.mfa.totp.internal.auth import TOTP

    from espace_sante.comptes.models import Utilisateur

    utilisateur = Utilisateur.objects.create_user(
        email=email, password=MOT_DE_PASSE, prenom=prenom, nom=nom
    )
    TOTP.activate(utilisateur, SECRET_TOTP)
    return utilisateur


def _documents(espace_id: int, nombre: int, debut: int = 0) -> list[Any]:
    from dossier.models import Document, Nature, Source, Statut, empreinte_dossier
    from dossier.types import TYPES, categorie_de
    from espace_sante.journal.models import TypeActeur

    types = list(TYPES.values())
    auteurs = ["Dr Paul DURAND", "Dr Léa MARTIN", "Laboratoire BIOLAB", "CHU de Nantes"]
    # A fifth of the documents unfiled, the others in four folders (bulk_create: no ``save``,
    # so the folder's blind index is set here).
    dossiers = ["", "Grossesse", "Sport", "Dentiste", "Ophtalmologie"]
    reference = date(2026, 3, 1)
    documents = []
    for rang in range(debut, debut + nombre):
        genre = types[rang % len(types)]
        patient = genre.depot_patient
        documents.append(
            Document(
                espace_id=espace_id,
                type_code=genre.code,
                categorie=categorie_de(genre.code, depot_patient=patient),
                titre=f"{genre.libelle} — n° {rang + 1}"[:200],
                date_acte=reference - timedelta(days=(rang * 37) % 7300),
                auteur_type=TypeActeur.TITULAIRE if patient else TypeActeur.PROFESSIONNEL,
                auteur_nom="Camille BENCH" if patient else auteurs[rang % len(auteurs)],
                source=Source.PATIENT if patient else Source.PROFESSIONNEL,
                statut=Statut.DISPONIBLE,
                nature=Nature.PDF,
                media_type="application/pdf",
                taille=50_000 + rang,
                masque_ps=rang % 17 == 0,
                dossier_utilisateur=dossiers[rang % len(dossiers)],
                dossier_empreinte=empreinte_dossier(espace_id, dossiers[rang % len(dossiers)]),
            )
        )
    return documents


def _charger(args: argparse.Namespace) -> Donnees:
    from django.db import transaction
    from django.utils import timezone

    from dossier.models import Document
    from espace_sante.lib.identifiants import OID_INS_NIR_TEST
    from profil.models import Espace, Statut

    debut = time.perf_counter()
    rang_titulaire = max(1, args.spaces // 2)
    rang_petit = rang_titulaire + 1 if args.spaces > 1 else rang_titulaire
    maintenant = timezone.now()
    with transaction.atomic():
        titulaires = {
            rang_titulaire: _titulaire(EMAIL, "Camille", "BENCH"),
            rang_petit: _titulaire(EMAIL_PETIT, "Dominique", "PETIT"),
        }
        lot: list[Espace] = []
        for rang in range(1, args.spaces + 1):
            naissance = date(1930 + rang % 90, 1 + rang % 12, 1 + rang % 28)
            sexe = "F" if rang % 2 else "M"
            titulaire = titulaires.get(rang)
            lot.append(
                Espace(
                    ins=nir(sexe, naissance, rang),
                    ins_oid=OID_INS_NIR_TEST,
                    nom_naissance=f"NOM{rang}",
                    prenoms="Camille Marie" if sexe == "F" else "Dominique Jean",
                    date_naissance=naissance,
                    sexe=sexe,
                    statut=Statut.ACTIF,
                    titulaire=titulaire,
                    active_le=maintenant if titulaire else None,
                )
            )
            if len(lot) == LOT:
                Espace.objects.bulk_create(lot)
                lot = []
        Espace.objects.bulk_create(lot)
        espace = Espace.objects.get(titulaire=titulaires[rang_titulaire])
        petit = Espace.objects.get(titulaire=titulaires[rang_petit])
        for depart in range(0, args.documents, LOT):
            nombre = min(LOT, args.documents - depart)
            Document.objects.bulk_create(_documents(espace.pk, nombre, depart))
        Document.objects.bulk_create(_documents(petit.pk, DOCUMENTS_PETIT))
        autres = Espace.objects.filter(titulaire__isnull=True).values_list("pk", flat=True)
        ids = list(autres.order_by("pk")[: args.other_documents]) if args.other_documents else []
        for depart in range(0, len(ids), LOT):
            Document.objects.bulk_create(
                [_documents(pk, 1, i)[0] for i, pk in enumerate(ids[depart : depart + LOT])]
            )
        if len(ids) != args.other_documents:
            raise SystemExit("--other-documents: at most one per space without holder")
    with _curseur() as curseur:
        curseur.execute("ANALYZE")
    return Donnees(str(espace.uuid), str(petit.uuid), time.perf_counter() - debut)


def _curseur() -> Any:
    from django.db import connection

    return connection.cursor()


def _preparer(args: argparse.Namespace) -> Donnees:
    """The database, migrated and loaded (reused when its counts match the options)."""
    from django.db import connection

    base_creer(args, effacer=args.reset)
    django_demarrer()
    migrer()
    donnees = _donnees_pretes(args)
    if donnees is not None:
        return donnees
    from profil.models import Espace

    if Espace.objects.exists():  # loaded with other options: start afresh
        connection.close()
        base_creer(args, effacer=True)
        migrer()
    return _charger(args)


# --- Session and query counts ------------------------------------------------------------------


def _client(email: str) -> Client:
    """A logged-in client with its second factor checked (the session is in the database)."""
    from django.test import Client

    from espace_sante.comptes.models import Utilisateur

    client = Client(HTTP_HOST=HOTE)
    client.force_login(Utilisateur.objects.get(email=email))
    return client


def _requetes(client: Client, chemin: str) -> tuple[int, int, list[str]]:
    """Status, SQL queries and their text for one in-process request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as capture:
        reponse = client.get(chemin)
    if reponse.status_code != 200:
        raise SystemExit(f"{chemin}: {reponse.status_code} in-process, expected 200")
    return len(capture), len(reponse.content), [q["sql"] for q in capture.captured_queries]


# --- Server and load ---------------------------------------------------------------------------


def _verifier(port: int, chemin: str, cookie: str, marque: str) -> None:
    """One request through gunicorn: 200, and the page of the logged-in user."""
    connexion = http.client.HTTPConnection(HOTE, port, timeout=30)
    try:
        connexion.request("GET", chemin, headers={"Cookie": cookie})
        reponse = connexion.getresponse()
        corps = reponse.read().decode(errors="replace")
    finally:
        connexion.close()
    if reponse.status != 200 or marque not in corps:
        raise SystemExit(f"{chemin}: HTTP {reponse.status} under gunicorn, {marque!r} missing")


@dataclass(frozen=True)
class Mesure:
    par_seconde: float
    p50: float  # seconds
    p99: float


def _tour(
    port: int, pages: dict[str, str], cookie: str, args: argparse.Namespace, tour: int
) -> dict[str, Mesure]:
    """One round: a warm-up of each page, then ``--duration`` seconds of each, cut in
    ``--slices`` slices interleaved A B B A A B… so that both pages see the same machine."""
    noms = list(pages) if tour % 2 == 0 else list(pages)[::-1]
    for nom in noms:
        tranche(port, pages[nom], cookie, args.warmup, args.concurrency)
    latences: dict[str, list[float]] = {nom: [] for nom in noms}
    temps = dict.fromkeys(noms, 0.0)
    duree = args.duration / max(1, args.slices)
    for rang in range(max(1, args.slices)):
        for nom in noms if rang % 2 == 0 else noms[::-1]:
            mesures, ecoule = tranche(port, pages[nom], cookie, duree, args.concurrency)
            latences[nom] += mesures
            temps[nom] += ecoule
    return {
        nom: Mesure(
            len(latences[nom]) / temps[nom],
            percentile(latences[nom], 0.5),
            percentile(latences[nom], 0.99),
        )
        for nom in noms
    }


# --- Main --------------------------------------------------------------------------------------


# --- Cold page loads in Chromium (--browser) -----------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHARGEMENT_JS = """() => {
    const n = performance.getEntriesByType('navigation')[0];
    const octets = performance.getEntriesByType('resource')
        .reduce((total, r) => total + r.transferSize, n.transferSize);
    return [n.loadEventEnd - n.startTime, octets,
            performance.getEntriesByType('resource').length];
}"""


def _statiques_collecter(env: dict[str, str]) -> None:
    """collectstatic with the production storage (hashed names, gzip copies)."""
    os.environ["STATIC_MANIFESTE"] = "1"
    env["STATIC_MANIFESTE"] = "1"
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        check=True,
    )


def _chargements_froids(
    port: int, pages: dict[str, str], cookies: dict[str, str], fois: int
) -> dict[str, tuple[float, int, int]]:
    """Per page: median ms to the load event, bytes transferred, resources; cold each time."""
    # import différé : Playwright is only needed with --browser
    from playwright.sync_api import sync_playwright

    base = f"http://{HOTE}:{port}"
    mesures: dict[str, list[tuple[float, int, int]]] = {nom: [] for nom in pages}
    with sync_playwright() as p:
        navigateur = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        try:
            for _ in range(fois + 1):  # the first round warms the server up, not measured
                for nom, chemin in pages.items():
                    contexte = navigateur.new_context(base_url=base)
                    contexte.add_cookies(
                        [{"name": n, "value": v, "url": base} for n, v in cookies.items()]
                    )
                    page = contexte.new_page()
                    page.goto(chemin, wait_until="load")
                    duree, octets, ressources = page.evaluate(CHARGEMENT_JS)
                    mesures[nom].append((float(duree), int(octets), int(ressources)))
                    contexte.close()
        finally:
            navigateur.close()
    return {
        nom: (
            statistics.median(m[0] for m in serie[1:]),
            serie[-1][1],
            serie[-1][2],
        )
        for nom, serie in mesures.items()
    }


def _afficher_chargements(nom_page: str, resultats: dict[str, tuple[float, int, int]]) -> None:
    base = resultats["/sante/"][0]
    print()
    print("Chargement à froid dans Chromium (cache vide, toutes les ressources) :")
    for nom, (duree, octets, ressources) in resultats.items():
        print(
            f"  {nom:<12} {duree:>7.0f} ms  {octets / 1024:>7.1f} Kio transférés, "
            f"{ressources} ressources  ratio / /sante/ = {duree / base:.1f}"
        )
    cible = resultats[nom_page][0] < 300
    print(f"  {nom_page} < 300 ms : {'oui' if cible else 'NON'}")


def _arguments() -> argparse.Namespace:
    parseur = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parseur.add_argument("--spaces", type=int, default=100_000)
    parseur.add_argument("--documents", type=int, default=2000, help="the holder's documents")
    parseur.add_argument(
        "--other-documents", type=int, default=0, help="one each for that many other spaces"
    )
    parseur.add_argument("--duration", type=float, default=10.0, help="seconds per measure")
    parseur.add_argument("--warmup", type=float, default=2.0, help="seconds before each measure")
    parseur.add_argument("--rounds", type=int, default=3)
    parseur.add_argument("--slices", type=int, default=5, help="interleaved slices per round")
    parseur.add_argument("--concurrency", type=int, default=2)
    parseur.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parseur.add_argument("--conn-max-age", type=int, default=600, help="CONN_MAX_AGE, seconds")
    parseur.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parseur.add_argument("--database", default="espace_sante_bench")
    parseur.add_argument("--reset", action="store_true", help="rebuild the database")
    parseur.add_argument(
        "--redis", default="", help="cache in this Redis (e.g. redis://127.0.0.1:6379/13)"
    )
    parseur.add_argument("--sql", action="store_true", help="print the measured page's SQL")
    parseur.add_argument(
        "--browser", action="store_true", help="also cold full-page loads in Chromium"
    )
    parseur.add_argument("--loads", type=int, default=7, help="--browser: cold loads per page")
    parseur.add_argument(
        "--page",
        choices=["documents", "resultats", "messagerie"],
        default="documents",
        help="page measured",
    )
    parseur.add_argument("--threads", type=int, default=500, help="--page messagerie: threads")
    parseur.add_argument(
        "--messages", type=int, default=5000, help="--page messagerie: messages in all"
    )
    parseur.add_argument(
        "--lab-reports", type=int, default=50, help="--page resultats: 20 results each"
    )
    return parseur.parse_args()


def _pages_resultats(
    args: argparse.Namespace, donnees: Donnees, client: Client, petit: Client
) -> tuple[str, list[tuple[str, tuple[int, int, list[str]]]]]:
    """The Résultats page's path and its query counts: both holders' pages read from the
    database (the cache emptied first), then the first holder's again, from the cache."""
    from django.core.cache import cache

    nombre = resultats_preparer(donnees.espace, args.lab_reports)
    peu = resultats_preparer(donnees.espace_petit, RAPPORTS_PETIT)
    chemin = f"/espace/{donnees.espace}/resultats/"
    chemin_petit = f"/espace/{donnees.espace_petit}/resultats/"
    cache.clear()
    petit_mesure = _requetes(petit, chemin_petit)
    cache.clear()
    mesures = [
        (f"Résultats, {nombre} résultats", _requetes(client, chemin)),
        (f"Résultats, {peu} résultats", petit_mesure),
        (f"Résultats, {nombre} résultats, en cache", _requetes(client, chemin)),
    ]
    return chemin, [*mesures, ("vue nue", _requetes(client, CHEMIN_NU))]


def _pages_messagerie(
    args: argparse.Namespace, donnees: Donnees, client: Client, petit: Client
) -> tuple[str, list[tuple[str, tuple[int, int, list[str]]]]]:
    """The holder's inbox (``--threads`` threads, ``--messages`` messages) and its query
    counts, against the second holder's (a few threads): the same number whatever the count."""
    from django.urls import reverse

    fils, messages = messagerie_preparer(donnees.espace, args.threads, args.messages)
    peu_fils, peu_messages = messagerie_preparer(donnees.espace_petit, FILS_PETIT, 4 * FILS_PETIT)
    chemin = reverse("messagerie:boite", args=[donnees.espace])
    chemin_petit = reverse("messagerie:boite", args=[donnees.espace_petit])
    mesures = [
        (f"Messagerie, {fils} fils, {messages} messages", _requetes(client, chemin)),
        (
            f"Messagerie, {fils} fils, dernière page",
            _requetes(client, f"{chemin}?page={max(1, -(-fils // 25))}"),
        ),
        (f"Messagerie, {peu_fils} fils, {peu_messages} messages", _requetes(petit, chemin_petit)),
    ]
    return chemin, [*mesures, ("vue nue", _requetes(client, CHEMIN_NU))]


def main() -> None:
    args = _arguments()
    signal.signal(signal.SIGTERM, interrompre)
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as brut:
        dossier = Path(brut)
        env = _environnement(args, dossier)
        if args.browser:
            _statiques_collecter(env)
        debut = time.perf_counter()
        donnees = _preparer(args)
        from django.contrib.sessions.models import Session
        from django.db import connection

        from dossier.views import PAR_PAGE

        Session.objects.all().delete()  # the bench database's own, from earlier runs
        chemin = f"/espace/{donnees.espace}/documents/"
        client = _client(EMAIL)
        client.get(chemin)  # second factor checked once (mfa_ok in the session), CSRF cookie
        petit = _client(EMAIL_PETIT)
        petit.get(f"/espace/{donnees.espace_petit}/documents/")
        derniere = max(1, -(-args.documents // PAR_PAGE))
        nom_page, marque = "Documents", 'id="liste-documents"'
        mesures_sql = [
            (f"Documents, {args.documents} documents, page 1", _requetes(client, chemin)),
            (
                f"Documents, {args.documents} documents, page {derniere}",
                _requetes(client, f"{chemin}?page={derniere}"),
            ),
            (
                f"Documents, {DOCUMENTS_PETIT} documents, page 1",
                _requetes(petit, f"/espace/{donnees.espace_petit}/documents/"),
            ),
            ("vue nue", _requetes(client, CHEMIN_NU)),
        ]
        if args.page == "resultats":
            chemin, mesures_sql = _pages_resultats(args, donnees, client, petit)
            nom_page, marque = "Résultats", 'id="liste-resultats"'
        if args.page == "messagerie":
            chemin, mesures_sql = _pages_messagerie(args, donnees, client, petit)
            nom_page, marque = "Messagerie", 'id="liste-fils"'
        cookie = "; ".join(f"{nom}={valeur.value}" for nom, valeur in client.cookies.items())
        connection.close()

        print(
            f"PostgreSQL {args.database} : {args.spaces:,} espaces, {args.documents:,} documents "
            f"pour le titulaire, {args.other_documents:,} pour d'autres espaces ; "
            + (
                f"chargés en {donnees.chargees_en:.1f} s"
                if donnees.chargees_en is not None
                else "réutilisés"
            )
            + f" (préparation totale {time.perf_counter() - debut:.1f} s)."
        )
        print(
            f"gunicorn {args.workers} workers sync, CONN_MAX_AGE={args.conn_max_age}, DEBUG off ; "
            f"{args.concurrency} clients ; {args.rounds} tours : {args.warmup:g} s de chauffe, "
            f"puis {args.duration:g} s par page en {args.slices} tranches alternées."
        )
        print(f"{nom_page} = {chemin} ; vue nue = {CHEMIN_NU} (base.html seul, même utilisateur).")
        print()
        print("Requêtes SQL par page (dans le processus, même middleware) :")
        for nom, (nombre, taille, _) in mesures_sql:
            print(f"  {nom:<40} {nombre:>3} requêtes  {taille / 1024:>6.1f} Kio de HTML")
        constant = (
            len({n for nom, (n, _, _) in mesures_sql[:-1] if not nom.endswith("en cache")}) == 1
        )
        quoi = {"resultats": "résultats", "messagerie": "fils et messages"}.get(
            args.page, "documents"
        )
        print(f"  indépendant du nombre de {quoi} : {'oui' if constant else 'NON'}")
        if args.sql:
            for requete in mesures_sql[0][1][2]:
                print(f"    {requete}")
        print()

        journal = dossier / "gunicorn.log"
        processus = None
        chargements: dict[str, tuple[float, int, int]] = {}
        try:
            processus, port = gunicorn(args, env, journal)
            pages = {nom_page: chemin, "vue nue": CHEMIN_NU}
            _verifier(port, chemin, cookie, marque)
            _verifier(port, CHEMIN_NU, cookie, 'id="utilisateur-connecte"')
            resultats: dict[str, list[Mesure]] = {nom: [] for nom in pages}
            for tour in range(args.rounds):
                for nom, mesure in _tour(port, pages, cookie, args, tour).items():
                    resultats[nom].append(mesure)
            if args.browser:
                chargements = _chargements_froids(
                    port,
                    {nom_page: chemin, "vue nue": CHEMIN_NU, "/sante/": "/sante/"},
                    {nom: valeur.value for nom, valeur in client.cookies.items()},
                    args.loads,
                )
        finally:
            arreter(processus)
        if journal.exists() and journal.stat().st_size:
            print(f"(journal de gunicorn : {journal.read_text(errors='replace')[-2000:]})")

    entete = f"{'page':<12} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}   {'req/s par tour':<24}"
    print(entete)
    print("-" * len(entete))
    medianes: dict[str, float] = {}
    for nom, serie in resultats.items():
        medianes[nom] = statistics.median(m.par_seconde for m in serie)
        print(
            f"{nom:<12} {medianes[nom]:>8,.0f} "
            f"{statistics.median(m.p50 for m in serie) * 1000:>8.2f} "
            f"{statistics.median(m.p99 for m in serie) * 1000:>8.2f}   "
            + " ".join(f"{m.par_seconde:,.0f}" for m in serie)
        )
    par_tour = [
        d.par_seconde / n.par_seconde
        for d, n in zip(resultats[nom_page], resultats["vue nue"], strict=True)
    ]
    ratio = statistics.median(par_tour)
    print()
    print(
        f"ratio {nom_page} / vue nue = {ratio:.2f} (médiane ; par tour : "
        + ", ".join(f"{r:.2f}" for r in par_tour)
        + f") ; cible ≥ 0.40 : {'oui' if ratio >= 0.4 else 'NON'}"
    )
    if args.browser:
        _afficher_chargements(nom_page, chargements)


if __name__ == "__main__":
    main()
