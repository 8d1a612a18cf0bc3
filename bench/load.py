#!/usr/bin/env python
"""Load profile: patients and professionals at once, against gunicorn + a Celery worker on
PostgreSQL and Redis (issue 14, point 8).

    .venv/bin/python bench/load.py [--users 32] [--duration 60] [--professionals 8]
                                   [--documents 40] [--alone 3] [--redis-db 14]

Bounded and loopback only: everything listens on 127.0.0.1 and the script talks to nothing else;
at most 64 users and 300 s. A dedicated PostgreSQL database (``es_image_bench`` by default,
rebuilt at each run) and Redis database (``--redis-db``, flushed at each run) hold the data:
``--users - --professionals`` patients, each with ``--documents`` documents already processed,
and ``--professionals`` verified médecins, each authorised by every patient. The users do not
type passwords: each one's session is created in the database the way the login would leave it
(``force_login`` with a TOTP authenticator on the account, then one page so that the second
factor counts as checked), and its cookies are handed to the load's threads.

Then ``--users`` threads, one per user, each one request at a time without think time for
``--duration`` seconds, pick an action by weight:

    patient        documents (list) 4 · document 3 · contenu (download) 1 · dépôt (upload) 1 ·
                   profil 2
    professionnel  accueil (patients) 1 · recherche (patient's documents, ?q=) 3 ·
                   document 3 · dépôt (upload) 1

Uploads are a one-page PDF (≈1 KiB) sent as multipart with the CSRF token, queued to the real
worker (2 prefork processes) that ingests them. An error is any answer but 200 (GET) or 302
(POST: accepted, redirected), or no answer. Prints p50/p99 per page and the errors, then, each
page alone (2 clients, the gunicorn workers' count, ``--alone`` seconds each), its throughput
as a ratio to the bare view's (``bench/pages.py``: base.html for the same user, same server
and middleware). Everything it starts (gunicorn, the worker) is stopped on exit.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from commun.environnement import RACINE, cles, django_demarrer, interrompre
from commun.postgres import base_creer, migrer
from commun.processus import arreter
from commun.travailleurs import commande_worker
from commun.web import CHEMIN_NU, HOTE, gunicorn, percentile, reglages_ecrire, tranche

SECRET_TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 (fictitious bench accounts)
MAX_UTILISATEURS = 64
MAX_DUREE = 300.0

ACTIONS_PATIENT = [("documents", 4), ("document", 3), ("contenu", 1), ("dépôt", 1), ("profil", 2)]
ACTIONS_PRO = [("accueil pro", 1), ("recherche pro", 3), ("document pro", 3), ("dépôt pro", 1)]


# --- Environment, database, worker -------------------------------------------------------------


def _environnement(args: argparse.Namespace, dossier: Path) -> dict[str, str]:
    valeurs = {
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": reglages_ecrire(dossier),
        "DJANGO_ENV": "development",  # no HTTPS on loopback; DEBUG off below
        "DEBUG": "false",
        "ALLOWED_HOSTS": HOTE,
        "DATABASE_URL": f"{args.postgres.rstrip('/')}/{args.database}",
        "CONN_MAX_AGE": "600",
        "REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
        "VAR_DIR": str(dossier / "var"),
        **cles("load"),
        "LOG_LEVEL": "WARNING",
        "ESPACE_SANTE_TESTING": "0",
    }
    os.environ.update(valeurs)
    for nom in ("S3_BUCKET", "ENCRYPTION_KEYS_FILE", "ENCRYPTION_ACTIVE_KEY", "STATIC_ROOT"):
        os.environ.pop(nom, None)
    return dict(os.environ)


def _worker(env: dict[str, str], journal: Path) -> subprocess.Popen[bytes]:
    commande = commande_worker(2, "INFO")  # INFO: the log says " ready."
    with open(journal, "ab") as sortie:
        processus = subprocess.Popen(
            commande, cwd=RACINE, env=env, stdout=sortie, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    limite = time.monotonic() + 60
    while time.monotonic() < limite:
        if processus.poll() is not None:
            raise SystemExit(f"the worker exited ({processus.returncode}); see {journal}")
        if b" ready." in journal.read_bytes():
            return processus
        time.sleep(0.2)
    arreter(processus)
    raise SystemExit(f"the worker was not ready within 60 s; see {journal}")


# --- Data and sessions -------------------------------------------------------------------------


@dataclass
class Utilisateur:
    nom: str
    pro: bool
    cookie: str
    csrf: str
    espace: str = ""  # the patient's own space
    documents: list[str] = field(default_factory=list)  # the patient's
    patients: list[tuple[str, list[str]]] = field(default_factory=list)  # the professional's


def _pdf() -> bytes:
    from fpdf import FPDF

    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=12)
    document.cell(text="Compte rendu de bench")
    return bytes(document.output())


def _preparer(args: argparse.Namespace) -> list[Utilisateur]:
    """A fresh database: patients with documents, professionals authorised by all of them, and
    one logged-in session per user (second factor checked, CSRF cookie set)."""
    base_creer(args, effacer=True)
    django_demarrer()
    migrer()

    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from django.test import Client
    from django.utils import timezone

    from professionnels.models import AccesProfessionnel
    from tests.factories import EspaceFactory, ProfessionnelFactory, document

    maintenant = timezone.now()
    nombre_pros = args.professionals
    espaces = [
        EspaceFactory(prenoms="Camille", nom_naissance=f"PATIENT{rang}")
        for rang in range(args.users - nombre_pros)
    ]
    documents: dict[str, list[str]] = {}
    for espace in espaces:
        documents[str(espace.uuid)] = [
            str(
                document(
                    espace,
                    titre=f"Bilan sanguin n° {i}",
                    date_acte=(maintenant - timedelta(days=9 * i)).date(),
                ).uuid
            )
            for i in range(args.documents)
        ]
    pros = [ProfessionnelFactory() for _ in range(nombre_pros)]
    AccesProfessionnel.objects.bulk_create(
        AccesProfessionnel(espace=e, professionnel=p, autorise=True, autorise_le=maintenant)
        for e in espaces
        for p in pros
    )

    def session(compte: Any, premiere: str) -> tuple[str, str]:
        if not Authenticator.objects.filter(user=compte, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(compte, SECRET_TOTP)
        client = Client(HTTP_HOST=HOTE)
        client.force_login(compte)
        reponse = client.get(premiere)
        if reponse.status_code != 200:
            raise SystemExit(f"{premiere}: {reponse.status_code} in-process, expected 200")
        cookies = {nom: valeur.value for nom, valeur in client.cookies.items()}
        return "; ".join(f"{n}={v}" for n, v in cookies.items()), cookies["csrftoken"]

    utilisateurs = []
    for espace in espaces:
        cle = str(espace.uuid)
        cookie, csrf = session(espace.titulaire, f"/espace/{cle}/documents/ajouter/")
        utilisateurs.append(
            Utilisateur(espace.titulaire.email, False, cookie, csrf, cle, documents[cle])
        )
    for pro in pros:
        premier = str(espaces[0].uuid)
        cookie, csrf = session(pro.utilisateur, f"/pro/patients/{premier}/deposer/")
        utilisateurs.append(
            Utilisateur(pro.utilisateur.email, True, cookie, csrf, patients=list(documents.items()))
        )
    from django.db import connection

    with connection.cursor() as curseur:
        curseur.execute("ANALYZE")
    connection.close()
    return utilisateurs


# --- Load --------------------------------------------------------------------------------------


def _multipart(champs: dict[str, str], nom_fichier: str, fichier: bytes, champ: str) -> Any:
    borne = uuid.uuid4().hex
    morceaux = []
    for nom, valeur in champs.items():
        morceaux.append(
            f'--{borne}\r\nContent-Disposition: form-data; name="{nom}"\r\n\r\n'.encode()
            + f"{valeur}\r\n".encode()
        )
    morceaux.append(
        f'--{borne}\r\nContent-Disposition: form-data; name="{champ}"; filename="{nom_fichier}"'
        f"\r\nContent-Type: application/pdf\r\n\r\n".encode()
        + fichier
        + f"\r\n--{borne}--\r\n".encode()
    )
    return b"".join(morceaux), f"multipart/form-data; boundary={borne}"


class Charge:
    def __init__(self, port: int, pdf: bytes, echeance: float) -> None:
        self.port = port
        self.pdf = pdf
        self.echeance = echeance
        self.verrou = threading.Lock()
        self.latences: dict[str, list[float]] = defaultdict(list)
        self.erreurs: dict[str, list[str]] = defaultdict(list)
        self.deposes = 0

    def requete(
        self, connexion: http.client.HTTPConnection, u: Utilisateur, page: str, chemin: str,
        corps: bytes | None = None, type_corps: str = "",
    ) -> None:  # fmt: skip
        entetes = {"Cookie": u.cookie, "Accept-Encoding": "identity", "User-Agent": "bench-load"}
        if corps is not None:
            entetes |= {"Content-Type": type_corps, "X-CSRFToken": u.csrf}
        debut = time.perf_counter()
        try:
            connexion.request("POST" if corps is not None else "GET", chemin, corps, entetes)
            reponse = connexion.getresponse()
            contenu = reponse.read()
        except OSError as erreur:
            connexion.close()
            with self.verrou:
                self.erreurs[page].append(repr(erreur))
            return
        ecoule = time.perf_counter() - debut
        attendu = 302 if corps is not None else 200
        with self.verrou:
            self.latences[page].append(ecoule)
            if reponse.status != attendu:
                self.erreurs[page].append(f"HTTP {reponse.status} {contenu[:120]!r}")
            elif corps is not None:
                self.deposes += 1

    def utilisateur(self, u: Utilisateur, graine: int) -> None:
        hasard = random.Random(graine)
        actions = ACTIONS_PRO if u.pro else ACTIONS_PATIENT
        noms, poids = [a for a, _ in actions], [p for _, p in actions]
        connexion = http.client.HTTPConnection(HOTE, self.port, timeout=60)
        aujourd_hui = time.strftime("%d/%m/%Y")
        while time.perf_counter() < self.echeance:
            action = hasard.choices(noms, poids)[0]
            if u.pro:
                espace, docs = hasard.choice(u.patients)
                base = f"/pro/patients/{espace}/"
            else:
                espace, docs = u.espace, u.documents
                base = f"/espace/{espace}/documents/"
            doc = hasard.choice(docs)
            if action == "documents":
                self.requete(connexion, u, action, base)
            elif action == "document":
                self.requete(connexion, u, action, f"{base}{doc}/")
            elif action == "contenu":
                self.requete(connexion, u, action, f"{base}{doc}/contenu/")
            elif action == "profil":
                self.requete(connexion, u, action, f"/espace/{espace}/profil/")
            elif action == "accueil pro":
                self.requete(connexion, u, action, "/pro/")
            elif action == "recherche pro":
                self.requete(connexion, u, action, f"{base}?q=bilan+{hasard.randint(1, 40)}")
            elif action == "document pro":
                self.requete(connexion, u, action, f"{base}documents/{doc}/")
            elif action == "dépôt":
                champs = {"titre": "Ordonnance (bench)", "date_acte": aujourd_hui}
                champs |= {"type_code": "DOCPAT03", "dossier_utilisateur": ""}
                corps, genre = _multipart(champs, "ordonnance.pdf", self.pdf, "fichiers")
                self.requete(connexion, u, action, f"{base}ajouter/", corps, genre)
            elif action == "dépôt pro":
                champs = {"titre": "Compte rendu (bench)", "date_acte": aujourd_hui}
                champs |= {"type_code": "11490-0"}
                corps, genre = _multipart(champs, "cr.pdf", self.pdf, "fichier")
                self.requete(connexion, u, action, f"{base}deposer/", corps, genre)
        connexion.close()


def _charger(port: int, utilisateurs: list[Utilisateur], duree: float, pdf: bytes) -> Charge:
    charge = Charge(port, pdf, time.perf_counter() + duree)
    fils = [
        threading.Thread(target=charge.utilisateur, args=(u, rang), daemon=True)
        for rang, u in enumerate(utilisateurs)
    ]
    for f in fils:
        f.start()
    for f in fils:
        f.join()
    return charge


def _seul(port: int, u: Utilisateur, chemin: str, duree: float) -> float:
    """Requests/s of one page alone, 2 clients (pages.py's slice)."""
    mesures, ecoule = tranche(port, chemin, u.cookie, duree, 2)
    return len(mesures) / ecoule


# --- Main --------------------------------------------------------------------------------------


def _arguments() -> argparse.Namespace:
    parseur = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parseur.add_argument("--users", type=int, default=32)
    parseur.add_argument("--professionals", type=int, default=8)
    parseur.add_argument("--duration", type=float, default=60.0, help="seconds of mixed load")
    parseur.add_argument("--documents", type=int, default=40, help="per patient")
    parseur.add_argument("--alone", type=float, default=3.0, help="seconds per page alone")
    parseur.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parseur.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parseur.add_argument("--database", default="es_image_bench")
    parseur.add_argument("--redis-db", type=int, default=14)
    args = parseur.parse_args()
    if not 2 <= args.users <= MAX_UTILISATEURS or not 1 <= args.professionals < args.users:
        parseur.error(f"--users between 2 and {MAX_UTILISATEURS}, --professionals below it")
    if not 0 < args.duration <= MAX_DUREE:
        parseur.error(f"--duration at most {MAX_DUREE:g} s")
    if not re.fullmatch(r"postgres(ql)?://[^@/]*@(127\.0\.0\.1|localhost)(:\d+)?", args.postgres):
        parseur.error("--postgres: loopback only (postgres://user@127.0.0.1:5432)")
    return args


def _afficher(charge: Charge, duree: float) -> None:
    total = sum(len(v) for v in charge.latences.values())
    erreurs = sum(len(v) for v in charge.erreurs.values())
    print(f"{total:,} requêtes en {duree:.1f} s ({total / duree:,.0f} req/s), {erreurs} erreurs")
    entete = f"{'page':<16} {'requêtes':>9} {'p50 ms':>8} {'p99 ms':>8} {'erreurs':>8}"
    print(entete)
    print("-" * len(entete))
    for page, _ in ACTIONS_PATIENT + ACTIONS_PRO:
        serie = charge.latences.get(page, [])
        if not serie:
            continue
        print(
            f"{page:<16} {len(serie):>9,} {percentile(serie, 0.5) * 1000:>8.1f} "
            f"{percentile(serie, 0.99) * 1000:>8.1f} {len(charge.erreurs.get(page, [])):>8}"
        )
    for page, liste in charge.erreurs.items():
        for message in sorted(set(liste))[:3]:
            print(f"  erreur {page}: {message}")


def main() -> None:
    args = _arguments()
    signal.signal(signal.SIGTERM, interrompre)
    import redis

    print(f"charge moyenne de la machine au départ : {os.getloadavg()}")
    with tempfile.TemporaryDirectory(prefix="bench-load-") as brut:
        dossier = Path(brut)
        env = _environnement(args, dossier)
        redis.Redis.from_url(env["REDIS_URL"]).flushdb()
        debut = time.perf_counter()
        utilisateurs = _preparer(args)
        pdf = _pdf()
        print(
            f"PostgreSQL {args.database}, Redis db {args.redis_db} : "
            f"{args.users - args.professionals} patients × {args.documents} documents, "
            f"{args.professionals} médecins autorisés par tous ; préparé en "
            f"{time.perf_counter() - debut:.1f} s."
        )
        journal = dossier / "serveurs.log"
        serveur = worker = None
        try:
            worker = _worker(env, journal)
            serveur, port = gunicorn(args, env, journal)
            print(
                f"gunicorn {args.workers} workers sync + 1 worker Celery (2 processus) ; "
                f"{args.users} utilisateurs pendant {args.duration:g} s, sans temps de pause."
            )
            from dossier.models import Document

            dernier_avant = Document.objects.order_by("-pk").values_list("pk", flat=True)[0]
            depart = time.perf_counter()
            charge = _charger(port, utilisateurs, args.duration, pdf)
            duree = time.perf_counter() - depart
            print(f"charge moyenne à la fin de la charge : {os.getloadavg()}")
            _afficher(charge, duree)

            patient = next(u for u in utilisateurs if not u.pro)
            pro = next(u for u in utilisateurs if u.pro)
            espace_pro, docs_pro = pro.patients[0]
            seules = [
                ("vue nue", patient, CHEMIN_NU),
                ("documents", patient, f"/espace/{patient.espace}/documents/"),
                (
                    "document",
                    patient,
                    f"/espace/{patient.espace}/documents/{patient.documents[0]}/",
                ),
                ("profil", patient, f"/espace/{patient.espace}/profil/"),
                ("accueil pro", pro, "/pro/"),
                ("recherche pro", pro, f"/pro/patients/{espace_pro}/?q=bilan+1"),
                ("document pro", pro, f"/pro/patients/{espace_pro}/documents/{docs_pro[0]}/"),
            ]
            debits = {nom: _seul(port, u, chemin, args.alone) for nom, u, chemin in seules}
            print()
            print(f"Chaque page seule ({args.alone:g} s, 2 clients) :")
            for nom, debit in debits.items():
                print(
                    f"  {nom:<16} {debit:>7,.0f} req/s   "
                    f"ratio / vue nue {debit / debits['vue nue']:.2f}"
                )

            from django.db.models import Count

            from dossier.models import Statut

            limite = time.monotonic() + 60
            while time.monotonic() < limite:
                en_cours = Document.objects.filter(statut=Statut.EN_TRAITEMENT).count()
                if not en_cours:
                    break
                time.sleep(1)
            etats = dict(
                Document.objects.filter(pk__gt=dernier_avant)
                .values_list("statut")
                .annotate(n=Count("id"))
            )
            print()
            print(
                f"dépôts acceptés pendant la charge : {charge.deposes} ; "
                f"états après le worker : {etats}"
            )
        finally:
            for processus in (serveur, worker):
                arreter(processus)
        print(f"charge moyenne de la machine à la fin : {os.getloadavg()}")
        erreurs = sum(len(v) for v in charge.erreurs.values())
        if erreurs:
            raise SystemExit(f"{erreurs} erreurs")


if __name__ == "__main__":
    main()
