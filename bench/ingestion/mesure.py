"""What one phase of the ingestion bench measured, and who used the CPU meanwhile: the worker
pool, the producers, the PostgreSQL backends of the bench database, this process, and
"autres" (the rest of the machine, which is shared)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from commun.processus import cpu_machine, cpu_pid, cpu_soi
from commun.travailleurs import Travailleurs


@dataclass
class Phase:
    genre: str
    documents: int
    duree: float  # seconds from the first submission (or the resume) to the last "disponible"
    producteur_duree: float  # first to last submission
    producteur_cpu: float
    cpu: dict[str, float]  # CPU seconds during ``duree``, by whom (see ``Releve.depuis``)
    charge_avant: float  # cores used by other programs just before (see ``attendre_calme``)
    taille: int  # plaintext bytes submitted
    premier_pk: int
    empreintes: set[str]
    erreurs: int = 0
    complet: bool = True

    @property
    def debit(self) -> float:
        return self.documents / self.duree if self.duree > 0 else 0.0

    @property
    def debit_producteur(self) -> float:
        return self.documents / self.producteur_duree if self.producteur_duree > 0 else 0.0


class SuiviPostgres:
    """CPU seconds of the PostgreSQL backends serving the bench database (a local server: the
    same /proc), followed at every poll: a backend that ends (the worker reconnects every
    ``CELERY_DB_REUSE_MAX`` tasks) loses at most one poll interval of its CPU time."""

    def __init__(self) -> None:
        self.debut: dict[int, float] = {}
        self.dernier: dict[int, float] = {}
        self.maj(initial=True)

    def maj(self, *, initial: bool = False) -> None:
        from django.db import connection

        with connection.cursor() as curseur:
            curseur.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
            pids = [pid for (pid,) in curseur.fetchall()]
        for pid in pids:
            cpu = cpu_pid(pid)
            if initial:
                self.debut[pid] = cpu
            self.dernier[pid] = max(cpu, self.dernier.get(pid, 0.0))

    def total(self) -> float:
        return sum(cpu - self.debut.get(pid, 0.0) for pid, cpu in self.dernier.items())


@dataclass
class Releve:
    """A snapshot of the CPU counters, to be subtracted from a later one."""

    moment: float
    travailleurs: float
    bench: float
    machine: tuple[float, float]
    principal: float = 0.0  # the worker's main process (consumer, acks), part of "travailleurs"

    @classmethod
    def maintenant(cls, travailleurs: Travailleurs) -> Releve:
        return cls(
            time.monotonic(),
            travailleurs.cpu(),
            cpu_soi(),
            cpu_machine(),
            travailleurs.cpu_principal(),
        )

    def depuis(self, avant: Releve, producteurs: float, postgres: float) -> dict[str, float]:
        """CPU seconds spent between ``avant`` and this snapshot, by whom; "autres" is what
        the rest of the machine used (other programs, PostgreSQL's background processes)."""
        occupe = self.machine[0] - avant.machine[0]
        cpu = {
            "travailleurs": self.travailleurs - avant.travailleurs,
            "producteurs": producteurs,
            "postgres": postgres,
            "bench": self.bench - avant.bench,
        }
        cpu["autres"] = max(0.0, occupe - sum(cpu.values()))
        cpu["machine"] = occupe
        cpu["total"] = self.machine[1] - avant.machine[1]
        cpu["principal"] = self.principal - avant.principal  # already within "travailleurs"
        return cpu


def _charge_autres(travailleurs: Travailleurs, duree: float = 1.0) -> float:
    """Cores used by everything but the worker and this process over ``duree`` seconds (the
    producers wait for their "go" meanwhile)."""
    avant = Releve.maintenant(travailleurs)
    time.sleep(duree)
    apres = Releve.maintenant(travailleurs)
    cpu = apres.depuis(avant, 0.0, 0.0)
    return (cpu["machine"] - cpu["travailleurs"] - cpu["bench"]) / (apres.moment - avant.moment)


def attendre_calme(travailleurs: Travailleurs, seuil: float, delai: float) -> float:
    """Wait (``delai`` seconds at most) until the rest of the machine uses less than ``seuil``
    cores; return the last load seen (the machine is shared: the table says how busy)."""
    limite = time.monotonic() + delai
    charge = _charge_autres(travailleurs)
    while charge > seuil and time.monotonic() < limite:
        charge = _charge_autres(travailleurs)
    return charge
