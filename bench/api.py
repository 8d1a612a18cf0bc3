#!/usr/bin/env python
"""FHIR API benchmark (docs/API.md): the API against the web pages that do the same, in one run.

    .venv/bin/python bench/api.py [--documents 200] [--sizes 1,50] [--deposits 300] [--per-bundle 1]
                                  [--duration 8] [--concurrency 2] [--workers 2]
                                  [--database espace_sante_api] [--redis-db 13]

A dedicated PostgreSQL database (``espace_sante_api``, dropped and created again at each run),
a dedicated Redis database (13 by default: the only one flushed), blobs under a temporary
``VAR_DIR``. A verified médecin généraliste authorised by a patient whose space holds
``--documents`` small documents and one document of each ``--sizes`` (MiB); the médecin's
software holds a token (read, deposit), the médecin a web session (second factor checked).
gunicorn (``--workers`` sync workers, the portal's settings and middleware) serves both.

Measured in rounds of interleaved slices (A B B A…, so that both see the same noisy machine):

- ITI-67 ``GET /fhir/DocumentReference?patient.identifier=…`` (20 per page) against the web's
  patient page ``/pro/patients/<uuid>/`` (25 per page): requests/s, ratio API/web;
- ITI-68 ``GET /fhir/Binary/<uuid>`` against the web download
  ``/pro/patients/<uuid>/documents/<uuid>/contenu/``, for each size: MB/s, ratio API/web;

target ≥ 0.8 each. Then ITI-65: ``--deposits`` transaction Bundles (a CDA each, for the
patient's INS) posted by ``--concurrency`` clients while one Celery worker (prefork,
``--celery-concurrency 2``) ingests them; documents/s from the first POST until the last
document is "disponible" (target ≥ 50/s). Everything this script starts is stopped on exit.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import secrets
import signal
import statistics
import tempfile
import threading
import time
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from commun.environnement import MALLOC, MIB, RACINE, cles, django_demarrer, interrompre
from commun.espaces import nir
from commun.postgres import base_creer, migrer
from commun.processus import arreter
from commun.travailleurs import Travailleurs, redis_vider
from commun.web import HOTE, gunicorn, percentile

SECRET_TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 (a fictitious bench account)
CIBLE_LECTURE = 0.8
CIBLE_DEPOT = 50.0


# --- Environment and data ----------------------------------------------------------------------


def _environnement(args: argparse.Namespace, dossier: Path) -> dict[str, str]:
    valeurs = {
        "DJANGO_SETTINGS_MODULE": "espace_sante.settings",
        "PYTHONPATH": str(RACINE),
        "DJANGO_ENV": "development",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"{args.postgres.rstrip('/')}/{args.database}",
        "CONN_MAX_AGE": str(args.conn_max_age),
        "REDIS_URL": f"redis://{args.redis}/{args.redis_db}",
        "CACHE_KEY_PREFIX": "bench-api",
        "VAR_DIR": str(dossier / "var"),
        "FHIR_RATE_LIMIT": "1000000/m",  # the bench measures the API, not its throttle
        "VAULT_MAX_UPLOAD": str(max(100, max(args.tailles) + 1) * MIB),
        **cles("api"),
        "LOG_LEVEL": "WARNING",
        **MALLOC,
    }
    os.environ.update(valeurs)
    for nom in ("S3_BUCKET", "ENCRYPTION_KEYS_FILE", "ENCRYPTION_ACTIVE_KEY", "SECRET_KEY_FILE"):
        os.environ.pop(nom, None)
    return dict(os.environ)


@dataclass(frozen=True)
class Monde:
    espace: Any
    gros: dict[int, str]  # size in MiB → document uuid
    jeton: str
    cookie: str


def _octets(taille: int) -> Any:
    """``taille`` bytes that start like a PDF, in 1 MiB pieces (never all in memory)."""
    morceau = bytearray(os.urandom(MIB))
    morceau[:9] = b"%PDF-1.4\n"
    yield bytes(morceau[: min(taille, MIB)])
    restant = taille - MIB
    morceau = os.urandom(MIB)
    while restant > 0:
        yield morceau[: min(restant, MIB)]
        restant -= MIB


def _document(espace: Any, auteur: Any, titre: str, taille: int) -> Any:
    from dossier.models import Document
    from espace_sante.coffre import services as coffre

    blob = coffre.blob_enregistrer(
        coffre.blob_stocker(source=_octets(taille), media_type="application/pdf")
    )
    return Document.objects.create(
        espace=espace,
        type_code="11502-2",
        categorie="biologie",
        titre=titre,
        date_acte=date(2026, 3, 2),
        auteur_type="professionnel",
        auteur_id=str(auteur.utilisateur.uuid),
        auteur_nom="Dr Bench",
        source="professionnel",
        blob=blob,
        nature="pdf",
        media_type="application/pdf",
        taille=blob.taille,
        sha256=blob.sha256_clair,
        statut="disponible",
    )


def _preparer(args: argparse.Namespace) -> Monde:
    from allauth.mfa.totp.internal.auth import TOTP
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone
    from oauth2_provider.models import AccessToken

    from espace_sante.comptes.models import Utilisateur
    from interop.services import logiciel_enregistrer
    from professionnels.models import AccesProfessionnel, Professionnel
    from profil.models import Espace

    naissance = date(1970, 1, 1)
    titulaire = Utilisateur.objects.create_user(
        email="bench-api-patient@exemple.test", password=secrets.token_urlsafe(), nom="PATIENT"
    )
    espace = Espace.objects.create(
        ins=nir("F", naissance, 1),
        ins_oid="1.2.250.1.213.1.4.10",
        nom_naissance="PATIENT",
        prenoms="Bench",
        date_naissance=naissance,
        sexe="F",
        statut="actif",
        titulaire=titulaire,
    )
    medecin = Utilisateur.objects.create_user(
        email="bench-api-pro@exemple.test", password=secrets.token_urlsafe(), nom="BENCH"
    )
    TOTP.activate(medecin, SECRET_TOTP)
    pro = Professionnel.objects.create(
        utilisateur=medecin,
        rpps="10000000008",
        profession="10",
        specialite="SM54",
        lieu_nom="Cabinet",
        lieu_code_postal="75020",
        lieu_ville="PARIS",
        statut="verifie",
    )
    AccesProfessionnel.objects.create(espace=espace, professionnel=pro, autorise=True)
    for i in range(args.documents):
        _document(espace, pro, f"Bilan {i}", 4096)
    gros = {
        taille: str(_document(espace, pro, f"Gros {taille}", taille * MIB).uuid)
        for taille in args.tailles
    }
    logiciel = logiciel_enregistrer(
        professionnel=pro, nom="Bench", adresse_retour="http://127.0.0.1:9/retour"
    )
    jeton = secrets.token_urlsafe(30)
    AccessToken.objects.create(
        user=medecin,
        application=logiciel.application,
        token=jeton,
        expires=timezone.now() + timedelta(hours=4),
        scope="read deposit",
    )
    client = Client(HTTP_HOST=HOTE)
    client.force_login(medecin)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return Monde(espace=espace, gros=gros, jeton=jeton, cookie=cookie)


# --- Load --------------------------------------------------------------------------------------


def _tranche(
    port: int, chemin: str, entetes: dict[str, str], duree: float, concurrence: int
) -> tuple[list[float], int, float]:
    """``concurrence`` clients for ``duree`` seconds, one GET at a time each: the latencies,
    the bytes received and the time taken."""
    entetes = {"Accept-Encoding": "identity", "User-Agent": "bench-api", **entetes}
    latences: list[list[float]] = [[] for _ in range(concurrence)]
    octets = [0] * concurrence
    erreurs: list[str] = []
    depart = threading.Barrier(concurrence + 1)
    echeance = [0.0]
    fins = [0.0] * concurrence

    def client(rang: int) -> None:
        connexion = http.client.HTTPConnection(HOTE, port, timeout=120)
        depart.wait()
        try:
            while (debut := time.perf_counter()) < echeance[0]:
                connexion.request("GET", chemin, headers=entetes)
                reponse = connexion.getresponse()
                while morceau := reponse.read(MIB):
                    octets[rang] += len(morceau)
                latences[rang].append(time.perf_counter() - debut)
                if reponse.status != 200:
                    erreurs.append(f"{chemin}: HTTP {reponse.status}")
                    return
        except OSError as erreur:
            erreurs.append(f"{chemin}: {erreur!r}")
        finally:
            fins[rang] = time.perf_counter()
            connexion.close()

    fils = [threading.Thread(target=client, args=(r,), daemon=True) for r in range(concurrence)]
    for f in fils:
        f.start()
    debut = time.perf_counter()
    echeance[0] = debut + duree
    depart.wait()
    for f in fils:
        f.join()
    if erreurs:
        raise SystemExit("; ".join(sorted(set(erreurs))))
    return [x for liste in latences for x in liste], sum(octets), max(fins) - debut


@dataclass(frozen=True)
class Mesure:
    par_seconde: float
    octets_par_seconde: float
    p50: float


def _paire(
    port: int, paire: dict[str, tuple[str, dict[str, str]]], args: argparse.Namespace
) -> dict[str, Mesure]:
    """Both sides of a pair, ``--rounds`` rounds of interleaved slices; the medians."""
    tours: dict[str, list[Mesure]] = {nom: [] for nom in paire}
    for tour in range(args.rounds):
        noms = list(paire) if tour % 2 == 0 else list(paire)[::-1]
        for nom in noms:
            _tranche(port, *paire[nom], args.warmup, args.concurrency)
        latences: dict[str, list[float]] = {nom: [] for nom in noms}
        octets = dict.fromkeys(noms, 0)
        temps = dict.fromkeys(noms, 0.0)
        for rang in range(args.slices):
            for nom in noms if rang % 2 == 0 else noms[::-1]:
                mesures, recus, ecoule = _tranche(
                    port, *paire[nom], args.duration / args.slices, args.concurrency
                )
                latences[nom] += mesures
                octets[nom] += recus
                temps[nom] += ecoule
        for nom in noms:
            tours[nom].append(
                Mesure(
                    len(latences[nom]) / temps[nom],
                    octets[nom] / temps[nom],
                    percentile(latences[nom], 0.5),
                )
            )
    return {
        nom: Mesure(
            statistics.median(m.par_seconde for m in mesures),
            statistics.median(m.octets_par_seconde for m in mesures),
            statistics.median(m.p50 for m in mesures),
        )
        for nom, mesures in tours.items()
    }


def _lot(espace: Any, rang: int, documents: int = 1) -> bytes:
    """A transaction Bundle of ``documents`` CDA documents (a SubmissionSet listing them)."""
    from ensemble.demo import cda

    patient = f"Patient?identifier=urn:oid:{espace.ins_oid}|{espace.ins}"

    def adresse(numero: int) -> str:
        return f"urn:uuid:00000000-0000-0000-0000-{numero:012d}"

    references = []
    for k in range(documents):
        contenu = cda(ins=espace.ins, code="11488-4", titre=f"CR de consultation {rang}-{k}")
        references.append(
            {
                "fullUrl": adresse(k + 2),
                "resource": {
                    "resourceType": "DocumentReference",
                    "status": "current",
                    "type": {"coding": [{"system": "http://loinc.org", "code": "11488-4"}]},
                    "subject": {"reference": patient},
                    "content": [
                        {
                            "attachment": {
                                "contentType": "text/xml",
                                "data": base64.b64encode(contenu).decode(),
                            }
                        }
                    ],
                },
                "request": {"method": "POST", "url": "DocumentReference"},
            }
        )
    liste = {
        "fullUrl": adresse(1),
        "resource": {
            "resourceType": "List",
            "status": "current",
            "mode": "working",
            "code": {"coding": [{"code": "submissionset"}]},
            "subject": {"reference": patient},
            "entry": [{"item": {"reference": r["fullUrl"]}} for r in references],
        },
        "request": {"method": "POST", "url": "List"},
    }
    return json.dumps(
        {"resourceType": "Bundle", "type": "transaction", "entry": [liste, *references]}
    ).encode()


def _depots(port: int, monde: Monde, args: argparse.Namespace) -> tuple[float, int]:
    """ITI-65 end to end: POSTs from ``--concurrency`` clients, then wait until every document
    is "disponible". Documents/s, and how many are not "disponible" at the end."""
    from dossier.models import Document

    lots = [_lot(monde.espace, i, args.per_bundle) for i in range(args.deposits)]
    avant = Document.objects.filter(espace=monde.espace).count()
    entetes = {
        "Authorization": f"Bearer {monde.jeton}",
        "Content-Type": "application/fhir+json",
    }
    suivant = iter(range(len(lots)))
    verrou = threading.Lock()
    erreurs: list[str] = []

    def client() -> None:
        connexion = http.client.HTTPConnection(HOTE, port, timeout=120)
        try:
            while True:
                with verrou:
                    rang = next(suivant, None)
                if rang is None:
                    return
                connexion.request("POST", "/fhir", body=lots[rang], headers=entetes)
                reponse = connexion.getresponse()
                reponse.read()
                if reponse.status != 200:
                    erreurs.append(f"POST /fhir: HTTP {reponse.status}")
                    return
        finally:
            connexion.close()

    debut = time.perf_counter()
    fils = [threading.Thread(target=client, daemon=True) for _ in range(args.concurrency)]
    for f in fils:
        f.start()
    for f in fils:
        f.join()
    if erreurs:
        raise SystemExit("; ".join(sorted(set(erreurs))))
    attendus = avant + args.deposits * args.per_bundle
    limite = time.monotonic() + 600
    while time.monotonic() < limite:
        prets = Document.objects.filter(espace=monde.espace, statut="disponible").count()
        if prets >= attendus:
            break
        time.sleep(0.1)
    duree = time.perf_counter() - debut
    restants = attendus - Document.objects.filter(espace=monde.espace, statut="disponible").count()
    return args.deposits * args.per_bundle / duree, restants


# --- Main --------------------------------------------------------------------------------------


def _arguments() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--documents", type=int, default=200)
    p.add_argument("--sizes", default="1,50", help="retrieved documents, MiB, comma-separated")
    p.add_argument("--deposits", type=int, default=300, help="ITI-65 transaction Bundles")
    p.add_argument("--per-bundle", type=int, default=1, help="documents in each Bundle")
    p.add_argument("--duration", type=float, default=8.0, help="seconds per side and round")
    p.add_argument("--slices", type=int, default=4)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--warmup", type=float, default=1.0)
    p.add_argument("--concurrency", type=int, default=2, help="HTTP clients")
    p.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    p.add_argument("--celery-concurrency", type=int, default=2)
    p.add_argument("--conn-max-age", type=int, default=600)
    p.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    p.add_argument("--database", default="espace_sante_api")
    p.add_argument("--redis", default="127.0.0.1:6379")
    p.add_argument("--redis-db", type=int, default=13)
    args = p.parse_args()
    if args.redis_db in {12, 14}:
        raise SystemExit("--redis-db 12 and 14 belong to the other benches")
    args.tailles = [int(t) for t in args.sizes.split(",") if t.strip()]
    return args


def main() -> None:
    args = _arguments()
    signal.signal(signal.SIGTERM, interrompre)
    with tempfile.TemporaryDirectory(prefix="bench-api-") as brut:
        dossier = Path(brut)
        env = _environnement(args, dossier)
        base_creer(args, effacer=True)
        redis_vider(env["REDIS_URL"])
        django_demarrer()
        migrer()
        debut = time.perf_counter()
        monde = _preparer(args)
        from django.db import connection

        connection.close()
        print(
            f"PostgreSQL {args.database} (recréée), Redis db {args.redis_db} ; "
            f"{args.documents} documents + {', '.join(f'{t} Mio' for t in args.tailles)} "
            f"préparés en {time.perf_counter() - debut:.1f} s ; gunicorn {args.workers} workers "
            f"sync, {args.concurrency} clients, {os.cpu_count()} cœurs."
        )
        serveur, port = gunicorn(args, env, dossier / "gunicorn.log")
        travailleurs = Travailleurs(env, dossier / "worker.log", args.celery_concurrency)
        lignes: list[tuple[str, Mesure, Mesure, str]] = []
        try:
            api = {"Authorization": f"Bearer {monde.jeton}"}
            web = {"Cookie": monde.cookie}
            patient = monde.espace.uuid
            paires = {
                "ITI-67 recherche": (
                    (f"/fhir/DocumentReference?patient.identifier={monde.espace.ins}", api),
                    (f"/pro/patients/{patient}/", web),
                    "req/s",
                ),
                **{
                    f"ITI-68 {taille} Mio": (
                        (f"/fhir/Binary/{uuid}", api),
                        (f"/pro/patients/{patient}/documents/{uuid}/contenu/", web),
                        "Mo/s",
                    )
                    for taille, uuid in monde.gros.items()
                },
            }
            for nom, (cote_api, cote_web, unite) in paires.items():
                mesures = _paire(port, {"api": cote_api, "web": cote_web}, args)
                lignes.append((nom, mesures["api"], mesures["web"], unite))
                print(f"  {nom} mesuré", flush=True)
            travailleurs.demarrer()
            debit, restants = _depots(port, monde, args)
        finally:
            travailleurs.arreter()
            arreter(serveur)
            with suppress(Exception):
                redis_vider(env["REDIS_URL"])
    print()
    print(f"{'transaction':<18} {'API':>12} {'web':>12} {'rapport':>8}  (cible ≥ {CIBLE_LECTURE})")
    for nom, api_m, web_m, unite in lignes:
        if unite == "req/s":
            a, w = api_m.par_seconde, web_m.par_seconde
        else:
            a, w = api_m.octets_par_seconde / 1e6, web_m.octets_par_seconde / 1e6
        verdict = "OK" if a / w >= CIBLE_LECTURE else "NON"
        print(f"{nom:<18} {a:>7.1f} {unite:<4} {w:>7.1f} {unite:<4} {a / w:>7.2f}  {verdict}")
    verdict = "OK" if debit >= CIBLE_DEPOT and not restants else "NON"
    print(
        f"ITI-65 dépôts      {debit:>7.1f} documents/s de bout en bout ({args.deposits} lots de "
        f"{args.per_bundle} document(s), {args.celery_concurrency} workers Celery ; "
        f"cible ≥ {CIBLE_DEPOT:g}) {verdict}"
        + (f" — {restants} documents pas « disponible »" if restants else "")
    )


if __name__ == "__main__":
    main()
