#!/usr/bin/env python
"""Reminders benchmark (issue 19, point 7): 100,000 reminders falling due in the same minute,
sent by one Celery worker with 2 prefork processes over SMTP to a loopback server, against a
no-op Celery task's rate measured in the same run.

    .venv/bin/python bench/reminders.py [--reminders 100000] [--noop 10000] [--lot 200]

A dedicated PostgreSQL database (``espace_sante_rappels``, dropped and created again,
migrated), a dedicated Redis database (10 by default: the only one flushed), a loopback SMTP
server in this process (``commun.smtp``: the protocol's plain subset, each message read to its
final dot and its Message-ID counted; aiosmtpd is not a dependency). Then:

- baseline: ``--noop`` no-op tasks (``bench.rien``: one Redis INCR) queued at once, timed until
  the worker (the same one) has run them all: Celery's own ceiling on this machine, per task;
- the job: ``--reminders`` appointment reminders (one per appointment, 10 per holder) whose
  due time is the same minute; at that minute the beat's task (``rappels_planifier``, queued
  once as the beat would) creates the 100,000 sendings and queues the batch tasks, which claim
  ``--lot`` rows at a time (skip locked), send them over one SMTP connection per batch (Django's
  SMTP backend), mark each one sent; timed until every row is marked (polled every 0.5 s).

It prints both rates and their ratio, then checks every reminder reached the SMTP server once
(by Message-ID) and every row is marked sent.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from commun.environnement import RACINE
from commun.espaces import nir
from commun.processus import arreter, port_libre
from commun.smtp import ServeurSMTP
from commun.travailleurs import commande_worker, environnement, preparer

NOM_NOEUD = "bench-rappels@%h"


def _arguments() -> argparse.Namespace:
    parseur = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parseur.add_argument("--reminders", type=int, default=100_000)
    parseur.add_argument("--per-holder", type=int, default=10)
    parseur.add_argument("--noop", type=int, default=10_000)
    parseur.add_argument("--lot", type=int, default=200, help="rows claimed per batch")
    parseur.add_argument("--marquage", type=int, default=1, help="e-mails between two marks")
    parseur.add_argument("--delai", type=float, default=30.0, help="s until they fall due")
    parseur.add_argument("--concurrency", type=int, default=2)
    parseur.add_argument("--timeout", type=float, default=900.0)
    parseur.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parseur.add_argument("--database", default="espace_sante_rappels")
    parseur.add_argument("--redis", default="127.0.0.1:6379", help="host:port")
    parseur.add_argument("--redis-db", type=int, default=10)
    parseur.add_argument("--conn-max-age", type=int, default=600)
    return parseur.parse_args()


def _donnees(rappels: int, par_titulaire: int, echeance) -> None:  # type: ignore[no-untyped-def]
    """``rappels`` appointments of ``rappels / par_titulaire`` holders, each with one reminder
    10 minutes before, all due at ``echeance``."""
    from datetime import date

    from agenda.models import Rappel, RendezVous, Unite
    from espace_sante.comptes.models import Utilisateur
    from espace_sante.lib.identifiants import OID_INS_NIR_TEST
    from profil.models import Espace, Statut

    titulaires = rappels // par_titulaire
    utilisateurs = Utilisateur.objects.bulk_create(
        [
            Utilisateur(email=f"rappel{rang}@bench.test", prenom="Camille", nom=f"R{rang}",
                        password="!")  # noqa: S106 (unusable)
            for rang in range(titulaires)
        ],
        batch_size=5000,
    )  # fmt: skip
    espaces = Espace.objects.bulk_create(
        [
            Espace(
                ins=nir("F", date(1970 + rang % 30, 1 + rang % 12, 1 + rang % 28), rang + 1),
                ins_oid=OID_INS_NIR_TEST,
                nom_naissance=f"BENCHRAPPEL{rang}",
                prenoms="Camille",
                date_naissance=date(1970 + rang % 30, 1 + rang % 12, 1 + rang % 28),
                sexe="F",
                statut=Statut.ACTIF,
                titulaire=utilisateur,
            )
            for rang, utilisateur in enumerate(utilisateurs)
        ],
        batch_size=5000,
    )
    debut = echeance + timedelta(minutes=10)
    for tranche in range(0, rappels, 10_000):
        rdvs = RendezVous.objects.bulk_create(
            [
                RendezVous(espace=espaces[rang % titulaires], titre="Consultation", debut=debut)
                for rang in range(tranche, min(rappels, tranche + 10_000))
            ]
        )
        Rappel.objects.bulk_create(
            [
                Rappel(rendez_vous=rdv, avance=10, unite=Unite.MINUTES, echeance=echeance)
                for rdv in rdvs
            ]
        )


def _worker(env: dict[str, str], journal: Path, concurrence: int) -> subprocess.Popen[bytes]:
    from espace_sante.celery import app

    commande = commande_worker(
        concurrence, "WARNING", "--pool", "prefork", "-Q", "celery", "-n", NOM_NOEUD,
        "--include", "bench.commun.taches_vides",
    )  # fmt: skip
    with open(journal, "ab") as sortie:
        processus = subprocess.Popen(
            commande, cwd=RACINE, env=env, stdout=sortie, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    noeud = NOM_NOEUD.replace("%h", os.uname().nodename)
    limite = time.monotonic() + 60
    while time.monotonic() < limite:
        if processus.poll() is not None:
            raise RuntimeError(f"worker exited ({processus.returncode}): {journal}")
        if app.control.ping(destination=[noeud], timeout=0.5):
            return processus
    raise RuntimeError(f"worker not ready: {journal}")


def _base_de_reference(nombre: int, url_redis: str) -> float:
    """No-op tasks per second, queued at once, until the worker has run them all."""
    import redis

    from espace_sante.celery import app

    cle = f"bench-rappels:rien:{uuid.uuid4().hex}"
    client = redis.Redis.from_url(url_redis)
    debut = time.perf_counter()
    for _rang in range(nombre):
        app.send_task("bench.rien", args=[cle])
    while int(client.get(cle) or 0) < nombre:
        time.sleep(0.05)
    return nombre / (time.perf_counter() - debut)


def main() -> None:
    args = _arguments()
    with tempfile.TemporaryDirectory(prefix="bench-rappels-") as brut:
        dossier = Path(brut)
        env = environnement(args, dossier)
        port = port_libre()
        reglages = {
            "CACHE_KEY_PREFIX": "bench-rappels",
            "EMAIL_URL": f"smtp://127.0.0.1:{port}",
            "AGENDA_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "AGENDA_LOT": str(args.lot),
            "AGENDA_MARQUAGE_PAR": str(args.marquage),
            "AGENDA_TACHES_MAX": str(4 * args.concurrency),
            "AGENDA_DUREE_TACHE_SECONDES": str(args.timeout),
        }
        os.environ.update(reglages)
        env.update(reglages)
        preparer(args, env, 0)
        serveur = ServeurSMTP(port)
        serveur.demarrer()
        from django.utils import timezone

        preparation = time.perf_counter()
        echeance = timezone.now() + timedelta(seconds=args.delai)  # all due at that instant
        _donnees(args.reminders, args.per_holder, echeance)
        print(
            f"PostgreSQL {args.database}, Redis db {args.redis_db}, SMTP 127.0.0.1:{port} ; "
            f"{args.reminders} rappels dus à {timezone.localtime(echeance):%H:%M:%S} "
            f"(préparés en {time.perf_counter() - preparation:.0f} s), lots de {args.lot}, "
            f"marquage tous les {args.marquage} e-mail(s), {args.concurrency} processus."
        )
        processus = _worker(env, dossier / "worker.log", args.concurrency)
        try:
            _base_de_reference(min(1000, args.noop), env["REDIS_URL"])  # warm-up
            reference = _base_de_reference(args.noop, env["REDIS_URL"])
            print(f"référence (tâche vide)           : {reference:8.0f} tâches/s")
            from agenda.models import EnvoiRappel
            from agenda.tasks import rappels_planifier

            while timezone.now() < echeance:
                time.sleep(0.2)
            debut = time.perf_counter()
            rappels_planifier.delay()  # the beat's tick at the due minute
            crees_en = None
            limite = time.monotonic() + args.timeout
            envoyes = 0
            while time.monotonic() < limite:
                time.sleep(0.5)
                if crees_en is None and EnvoiRappel.objects.count() >= args.reminders:
                    crees_en = time.perf_counter() - debut
                envoyes = EnvoiRappel.objects.filter(statut=EnvoiRappel.Statut.ENVOYE).count()
                if envoyes >= args.reminders:
                    break
            duree = time.perf_counter() - debut
            if envoyes < args.reminders:
                raise SystemExit(f"ÉCHEC : {envoyes} envoyés en {duree:.0f} s")
            debit = args.reminders / duree
            print(f"envois créés par la tâche du beat en {crees_en or 0:.1f} s")
            print(f"rappels envoyés (SMTP, 2 processus) : {debit:8.0f} rappels/s "
                  f"({args.reminders} en {duree:.1f} s, création comprise)")  # fmt: skip
            print(f"ratio rappels / tâche vide      : {debit / reference:.2f}")
            recus = len(serveur.ids)
            doubles = sum(1 for n in serveur.ids.values() if n > 1)
            print(
                f"vérification : {recus} Message-ID distincts reçus (attendu {args.reminders}), "
                f"{doubles} reçu(s) deux fois, {serveur.sans_id} sans Message-ID"
            )
            if recus != args.reminders or doubles or serveur.sans_id:
                raise SystemExit("ÉCHEC de la vérification")
            if debit < 500:
                raise SystemExit(f"ÉCHEC : {debit:.0f} rappels/s < 500")
        finally:
            arreter(processus, delai=20)
            serveur.shutdown()


if __name__ == "__main__":
    main()
