"""A simulator of the insurer's reimbursement service (connecteur.py describes the API).

Deterministic: the history of an INS follows from a digest of the INS (drugs with CIP13 and
ATC codes, medical and dental acts with NGAP/CCAM codes, biology with NABM codes, imaging,
hospital stays, devices; amounts paid, base, reimbursed, out-of-pocket). It listens on loopback
only (unless told otherwise, in a container), in a thread of the caller (tests, the demo) or
as a process::

    .venv/bin/python -m dossier.assurance.simulateur --port 8765 [--lignes 60]

It can be told to fail, for the job's tests: the next requests answer a given status
(``pannes``), answer late (``lenteurs``), or some lines come malformed (``malformer``). Every
request is recorded (``journal``), with its monotonic time, to check the rate limit."""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import random
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

# (nature, système, code, ATC, libellé, professionnel, prix payé en centimes, base, taux %,
#  participation forfaitaire en centimes)
CATALOGUE: tuple[tuple[str, str, str, str, str, str, int, int, int, int], ...] = (
    ("pharmacie", "CIP13", "3400935955838", "N02BE01", "DOLIPRANE 1000MG CPR B/8",
     "Pharmacie COMPAIN", 216, 216, 65, 50),
    ("pharmacie", "CIP13", "3400934998331", "C10AA07", "CRESTOR 5MG CPR B/30",
     "Pharmacie COMPAIN", 1524, 1524, 65, 50),
    ("pharmacie", "CIP13", "3400935673220", "G03AA07", "LUDEAL CPR B/3X21",
     "Pharmacie des Lilas", 290, 290, 65, 50),
    ("pharmacie", "CIP13", "3400933183738", "J01CA04", "AMOXICILLINE 1G CPR B/6",
     "Pharmacie des Lilas", 425, 425, 65, 50),
    ("pharmacie", "CIP13", "3400936404359", "R03AC02", "VENTOLINE 100µG SUSP INHAL",
     "Pharmacie COMPAIN", 379, 379, 65, 50),
    ("consultation", "NGAP", "G", "", "CONSULTATION MEDECINE GENERALE",
     "Dr Laure MARIGNY", 3000, 3000, 70, 200),
    ("consultation", "NGAP", "APC", "", "AVIS PONCTUEL DE CONSULTANT",
     "Dr Jean DURAND", 6000, 5500, 70, 200),
    ("consultation", "NGAP", "AMI", "", "ACTE INFIRMIER (PRISE DE SANG)",
     "Hugo LEROY, infirmier", 315, 315, 60, 0),
    ("consultation", "CCAM", "BGQP002", "", "EXAMEN DU FOND D'OEIL",
     "Dr Jean DURAND", 2800, 2800, 70, 0),
    ("dentaire", "CCAM", "HBJD001", "", "DETARTRAGE ET POLISSAGE DES DENTS",
     "Cabinet dentaire des Lilas", 4338, 4338, 60, 0),
    ("dentaire", "CCAM", "HBMD038", "", "RESTAURATION D'UNE DENT SUR 2 FACES",
     "Cabinet dentaire des Lilas", 6500, 5300, 60, 0),
    ("dentaire", "CCAM", "HBLD036", "", "POSE D'UNE COURONNE DENTAIRE CERAMOMETALLIQUE",
     "Cabinet dentaire des Lilas", 55000, 12000, 60, 0),
    ("biologie", "NABM", "1208", "", "T.S.H. (SANG)",
     "LBM PARC MONCEAU", 729, 729, 60, 0),
    ("biologie", "NABM", "1104", "", "HEMOGRAMME Y COMPRIS PLAQUETTES (NFS)",
     "LBM PARC MONCEAU", 783, 783, 60, 0),
    ("biologie", "NABM", "552", "", "SANG : GLUCOSE (GLYCEMIE)",
     "LBM PARC MONCEAU", 135, 135, 60, 0),
    ("radiologie", "CCAM", "ZBQK002", "", "RADIOGRAPHIE DU THORAX",
     "Centre d'imagerie Nation", 2261, 2261, 70, 200),
    ("hospitalisation", "GHS", "1721", "", "SEJOUR : ACCES VASCULAIRE, MOINS DE 2 JOURS",
     "Clinique Sainte-Geneviève", 152400, 150000, 80, 0),
    ("dispositif", "LPP", "2492950", "", "PANSEMENTS ET ARTICLES POUR PANSEMENT",
     "Pharmacie COMPAIN", 1250, 1100, 60, 0),
)  # fmt: skip

DEBUT = date(2023, 1, 1)
JOURS = 3 * 365
_INS = re.compile(r"[0-9]{13}[0-9]{2}|[0-9]{5}2[AB][0-9]{8}")
_CHEMIN = re.compile(r"/v1/assures/([^/]+)/remboursements")


def _euros(centimes: int) -> str:
    return str((Decimal(centimes) / 100).quantize(Decimal("0.01")))


def _graine(ins: str) -> int:
    return int.from_bytes(hashlib.sha256(f"simulateur/{ins}".encode()).digest()[:8], "big")


def nombre_de_lignes(ins: str, lignes: int | None) -> int:
    return lignes if lignes is not None else 40 + _graine(ins) % 41


def ligne(ins: str, rang: int) -> dict[str, Any]:
    """The line of rank ``rang`` (0, 1, …) of an INS's history: always the same."""
    hasard = random.Random(_graine(ins) * 1_000_003 + rang)  # noqa: S311 (simulated data)
    nature, systeme, code, atc, libelle, pro, paye, base, taux, forfait = hasard.choice(CATALOGUE)
    quantite = hasard.choice((1, 1, 1, 2, 3)) if nature == "pharmacie" else 1
    paye, base = paye * quantite, base * quantite
    rembourse = max(
        int((Decimal(base * taux) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)) - forfait,
        0,
    )
    soins = DEBUT + timedelta(days=hasard.randrange(JOURS))
    return {
        "id": f"AM-{hashlib.sha256(ins.encode()).hexdigest()[:10]}-{rang + 1:06d}",
        "date": soins.isoformat(),
        "nature": nature,
        "systeme": systeme,
        "code": code,
        "atc": atc,
        "libelle": libelle,
        "professionnel": pro,
        "quantite": quantite,
        "paye": _euros(paye),
        "base": _euros(base),
        "rembourse": _euros(rembourse),
        "reste_a_charge": _euros(paye - rembourse),
    }


MALFORMEES = (
    lambda d: json.dumps(d)[:-25],  # cut short: not JSON
    lambda d: json.dumps({**d, "rembourse": "douze euros"}),  # not an amount
    lambda d: json.dumps({**d, "date": "2024-02-30"}),  # not a date
    lambda d: json.dumps({k: v for k, v in d.items() if k != "id"}),  # no id
)


@dataclass
class Requete:
    instant: float  # time.monotonic()
    ins: str
    depuis: str
    limite: int
    statut: int


@dataclass
class Etat:
    lignes: int | None = None  # per INS when None: 40 to 80, from the INS
    en_plus: dict[str, int] = field(default_factory=dict)
    pannes: list[int] = field(default_factory=list)
    lenteurs: list[float] = field(default_factory=list)
    malformees: dict[str, dict[int, int]] = field(default_factory=dict)
    inconnus: set[str] = field(default_factory=set)
    jeton: str = ""
    journal: list[Requete] = field(default_factory=list)


class Simulateur:
    """The service on ``127.0.0.1:<port>`` (0: any free port), in a daemon thread."""

    def __init__(
        self, *, port: int = 0, lignes: int | None = None, jeton: str = "", hote: str = "127.0.0.1"
    ) -> None:
        self.etat = Etat(lignes=lignes, jeton=jeton)
        self.verrou = threading.Lock()
        simulateur = self

        class Gestionnaire(_Gestionnaire):
            pass

        Gestionnaire.simulateur = simulateur
        self.serveur = ThreadingHTTPServer((hote, port), Gestionnaire)
        self.serveur.daemon_threads = True
        self.fil: threading.Thread | None = None

    @property
    def url(self) -> str:
        hote, port = self.serveur.server_address[:2]
        return f"http://{hote!s}:{port}"

    def demarrer(self) -> Simulateur:
        self.fil = threading.Thread(target=self.serveur.serve_forever, daemon=True)
        self.fil.start()
        return self

    def arreter(self) -> None:
        self.serveur.shutdown()
        self.serveur.server_close()

    def __enter__(self) -> Simulateur:
        return self.demarrer()

    def __exit__(self, *exc: object) -> None:
        self.arreter()

    # --- What the tests and the demo ask of it ---

    def total(self, ins: str) -> int:
        with self.verrou:
            return self._total(ins)

    def _total(self, ins: str) -> int:
        return nombre_de_lignes(ins, self.etat.lignes) + self.etat.en_plus.get(ins, 0)

    def lignes(self, ins: str) -> list[dict[str, Any]]:
        return [ligne(ins, rang) for rang in range(self.total(ins))]

    def ajouter(self, ins: str, nombre: int) -> None:
        """``nombre`` new lines for this INS (processed by the insurer since the last sync)."""
        with self.verrou:
            self.etat.en_plus[ins] = self.etat.en_plus.get(ins, 0) + nombre

    def echouer(self, *statuts: int) -> None:
        """The next requests answer these statuses, in turn (503, 500, 429…)."""
        with self.verrou:
            self.etat.pannes.extend(statuts)

    def ralentir(self, *secondes: float) -> None:
        """The next requests wait this long before answering (a client timeout)."""
        with self.verrou:
            self.etat.lenteurs.extend(secondes)

    def malformer(self, ins: str, *rangs: int) -> None:
        """These lines (by rank) of this INS come malformed (in turn: cut short, bad amount,
        impossible date, no id)."""
        with self.verrou:
            lignes = self.etat.malformees.setdefault(ins, {})
            for rang in rangs:
                lignes[rang] = len(lignes) % len(MALFORMEES)

    def inconnu(self, ins: str) -> None:
        with self.verrou:
            self.etat.inconnus.add(ins)

    @property
    def journal(self) -> list[Requete]:
        with self.verrou:
            return list(self.etat.journal)

    # --- Answering ---

    def repondre(self, chemin: str, autorisation: str) -> tuple[int, dict[str, str], bytes]:
        adresse = urlsplit(chemin)
        correspondance = _CHEMIN.fullmatch(adresse.path)
        requete = parse_qs(adresse.query)
        depuis = (requete.get("depuis") or [""])[0]
        try:
            limite = int((requete.get("limite") or ["100"])[0])
        except ValueError:
            limite = -1
        ins = correspondance.group(1) if correspondance else ""
        with self.verrou:
            statut, entetes, corps = self._repondre(
                correspondance, ins, depuis, limite, autorisation
            )
            self.etat.journal.append(Requete(time.monotonic(), ins, depuis, limite, statut))
            lenteur = self.etat.lenteurs.pop(0) if self.etat.lenteurs else 0.0
        if lenteur:
            time.sleep(lenteur)
        return statut, entetes, corps

    def _repondre(
        self, correspondance: Any, ins: str, depuis: str, limite: int, autorisation: str
    ) -> tuple[int, dict[str, str], bytes]:
        if self.etat.pannes:
            return self.etat.pannes.pop(0), {}, b'{"erreur": "service indisponible"}'
        if self.etat.jeton and autorisation != f"Bearer {self.etat.jeton}":
            return 401, {}, b'{"erreur": "jeton"}'
        if correspondance is None or not _INS.fullmatch(ins):
            return 404, {}, b'{"erreur": "introuvable"}'
        if ins in self.etat.inconnus:
            return 404, {}, b'{"erreur": "assure inconnu"}'
        if not 1 <= limite <= 1000:
            return 400, {}, b'{"erreur": "limite"}'
        debut = 0
        if depuis:
            if not re.fullmatch(r"v1\.[0-9]{1,9}", depuis):
                return 400, {}, b'{"erreur": "curseur"}'
            debut = int(depuis[3:])
        total = self._total(ins)
        fin = min(debut + limite, total)
        malformees = self.etat.malformees.get(ins, {})
        sortie = []
        for rang in range(debut, fin):
            donnees = ligne(ins, rang)
            if rang in malformees:
                sortie.append(MALFORMEES[malformees[rang]](donnees))
            else:
                sortie.append(json.dumps(donnees, ensure_ascii=False))
        entetes = {
            "Content-Type": "application/x-ndjson; charset=utf-8",
            "X-Curseur-Suivant": f"v1.{max(fin, debut)}",
            "X-Fin": "1" if fin >= total else "0",
        }
        return 200, entetes, "".join(f"{s}\n" for s in sortie).encode()


class _Gestionnaire(BaseHTTPRequestHandler):
    simulateur: Simulateur
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Headers and body go in two writes: without this, Nagle's algorithm and the client's
        # delayed acknowledgement hold every answer for about 40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        statut, entetes, corps = self.simulateur.repondre(
            self.path, self.headers.get("Authorization", "")
        )
        try:
            self.send_response(statut)
            for nom, valeur in entetes.items():
                self.send_header(nom, valeur)
            if "Content-Type" not in entetes:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(corps)))
            self.end_headers()
            self.wfile.write(corps)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (its timeout)
            pass

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a request's path holds an INS, which has no place in a log."""


def main() -> None:
    parseur = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parseur.add_argument("--port", type=int, default=8765)
    parseur.add_argument("--lignes", type=int, default=None, help="lines per INS (default: 40–80)")
    parseur.add_argument("--jeton", default="", help="bearer token required, if any")
    parseur.add_argument("--hote", default="127.0.0.1", help="0.0.0.0 only inside a container")
    args = parseur.parse_args()
    simulateur = Simulateur(port=args.port, lignes=args.lignes, jeton=args.jeton, hote=args.hote)
    print(f"simulateur de l'Assurance Maladie : {simulateur.url}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        simulateur.serveur.serve_forever()


if __name__ == "__main__":
    main()
