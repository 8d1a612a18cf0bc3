"""The benches under gunicorn (pages, load): the bare view and its URLconf, gunicorn started,
the timed slices of requests and their percentiles.

Imported by gunicorn's workers too (the URLconf written at run time mounts ``vue_nue``): only
the standard library at module level.
"""

from __future__ import annotations

import argparse
import http.client
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from commun.environnement import BENCH, RACINE
from commun.processus import arreter, port_libre

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

HOTE = "127.0.0.1"
CHEMIN_NU = "/bench/nu/"

PARAMETRES = """\
from espace_sante.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
"""

URLS = """\
from django.contrib.auth.decorators import login_required
from django.urls import path

from espace_sante.urls import urlpatterns as _portail
from commun.web import vue_nue

urlpatterns = [path("bench/nu/", login_required(vue_nue), name="bench_nu"), *_portail]
"""

GABARIT_NU = '{% extends "base.html" %}{% block content %}{% endblock %}'


def vue_nue(request: HttpRequest) -> HttpResponse:
    """The baseline: the base layout, for the logged-in user, nothing else (served by gunicorn,
    imported from this module by the URLconf written at run time)."""
    from django.http import HttpResponse
    from django.template import engines

    gabarit = getattr(vue_nue, "gabarit", None)
    if gabarit is None:
        gabarit = engines["django"].from_string(GABARIT_NU)
        vue_nue.gabarit = gabarit  # type: ignore[attr-defined]
    return HttpResponse(gabarit.render({}, request))


def reglages_ecrire(dossier: Path) -> str:
    """Write the settings module (``bench_settings``: the portal's, with the URLconf below) and
    the URLconf (``bench_urls``: the portal's, plus the bare view) into ``dossier``; put them,
    this package and the project on this process's path; return the PYTHONPATH for gunicorn."""
    (dossier / "bench_settings.py").write_text(PARAMETRES, encoding="utf-8")
    (dossier / "bench_urls.py").write_text(URLS, encoding="utf-8")
    chemins = [str(dossier), str(BENCH), str(RACINE)]
    sys.path[:0] = chemins
    return os.pathsep.join(chemins)


def gunicorn(args: argparse.Namespace, env: dict[str, str], journal: Path) -> tuple[Any, int]:
    """gunicorn (``--workers`` sync workers) on a free loopback port, once it answers."""
    port = port_libre(HOTE)
    commande = [
        str(Path(sys.executable).parent / "gunicorn"),
        "espace_sante.wsgi:application",
        "--workers",
        str(args.workers),
        "--worker-class",
        "sync",
        "--bind",
        f"{HOTE}:{port}",
        "--chdir",
        str(RACINE),
        "--log-level",
        "warning",
    ]
    with open(journal, "ab") as sortie:
        processus = subprocess.Popen(
            commande, env=env, stdout=sortie, stderr=subprocess.STDOUT, start_new_session=True
        )
    limite = time.monotonic() + 30
    while time.monotonic() < limite:
        if processus.poll() is not None:
            raise SystemExit(f"gunicorn exited ({processus.returncode}); see {journal}")
        try:
            connexion = http.client.HTTPConnection(HOTE, port, timeout=2)
            connexion.request("GET", "/sante/")
            if connexion.getresponse().status == 200:
                connexion.close()
                return processus, port
        except OSError:
            time.sleep(0.1)
    arreter(processus)
    raise SystemExit(f"gunicorn did not answer within 30 s; see {journal}")


def percentile(valeurs: list[float], p: float) -> float:
    ordonnees = sorted(valeurs)
    return ordonnees[min(len(ordonnees) - 1, round(p * (len(ordonnees) - 1)))]


def tranche(
    port: int, chemin: str, cookie: str, duree: float, concurrence: int
) -> tuple[list[float], float]:
    """``concurrence`` clients for ``duree`` seconds, each one request at a time on a kept-alive
    connection (the sync workers close it after each response: http.client then reconnects).
    Returns the latencies and the time taken."""
    entetes = {"Cookie": cookie, "Accept-Encoding": "identity", "User-Agent": "bench-pages"}
    latences: list[list[float]] = [[] for _ in range(concurrence)]
    erreurs: list[str] = []
    depart = threading.Barrier(concurrence + 1)
    fins: list[float] = [0.0] * concurrence
    echeance = [0.0]

    def client(rang: int) -> None:
        connexion = http.client.HTTPConnection(HOTE, port, timeout=30)
        mesures = latences[rang]
        depart.wait()
        try:
            while (debut := time.perf_counter()) < echeance[0]:
                connexion.request("GET", chemin, headers=entetes)
                reponse = connexion.getresponse()
                reponse.read()
                mesures.append(time.perf_counter() - debut)
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
    return [x for mesures in latences for x in mesures], max(fins) - debut
