#!/usr/bin/env python
"""Vault benchmark: throughput and peak memory of encrypt+store and load+decrypt.

    .venv/bin/python bench/vault.py [--sizes 1,100,1024] [--repeat 3]

Prints, in one run on this machine: the raw AES-256-GCM throughput of the `cryptography`
library (1 MiB segments: the limit), a plain copy through the same Django storage (store a
plaintext file, read it back), and the vault's encrypt+store and load+decrypt for each size
on the filesystem storage, with ratios to both and the peak memory growth of each operation.
Every operation runs in its own process, so that its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024


def _rss_max() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _django(dossier: Path) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="espace_sante.settings",
        VAR_DIR=str(dossier / "var"),
        DATABASE_URL=f"sqlite:///{dossier / 'bench.sqlite3'}",
        DEBUG="false",
    )
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(RACINE))
    import django

    django.setup()


def _morceaux(chemin: Path):  # type: ignore[no-untyped-def]
    from espace_sante.coffre.services import morceaux_de

    with open(chemin, "rb") as f:
        yield from morceaux_de(f)


def une_mesure(operation: str, taille_mib: int, dossier: Path) -> dict[str, float]:
    """Run in a child process: one operation on one file; return seconds and peak growth."""
    _django(dossier)
    from django.core.files import File
    from django.core.files.storage import storages

    from espace_sante.coffre import services
    from espace_sante.coffre.models import Blob

    source = dossier / f"clair-{taille_mib}.bin"
    storage = storages["default"]
    # Warm up (a serving process is warm): first query, storage, key ring, imports, the vault's
    # threads; the vault writes and reads the same 1 MiB file as the copy does.
    echauffement = services.blob_ecrire(
        source=_morceaux(dossier / "clair-1.bin"), media_type="application/octet-stream"
    )
    b"".join(services.blob_lire(echauffement))
    with open(dossier / "clair-1.bin", "rb") as f:
        storage.save(f"copie/echauffement-{time.time_ns()}", File(f))
    os.sync()  # the previous measurement's dirty pages are not this one's cost
    # Small files: many in a row (as a server stores them), so one-off costs are averaged.
    fois = max(1, 64 // taille_mib)
    lectures = list(Blob.objects.filter(taille=taille_mib * MIB).order_by("-cree_le")[:fois])
    reference = aes_brut(max(taille_mib * fois, 64))  # the limit, measured right now, here
    avant = _rss()
    debut = time.perf_counter()
    for rang in range(fois):
        if operation == "copie_ecriture":
            with open(source, "rb") as f:
                storage.save(f"copie/{taille_mib}-{time.time_ns()}", File(f))
        elif operation == "copie_lecture":
            with storage.open(f"lecture-{taille_mib}/fichier-{rang}", "rb") as f:
                for _ in f.chunks(MIB):
                    pass
        elif operation == "coffre_ecriture":
            services.blob_ecrire(source=_morceaux(source), media_type="application/octet-stream")
        elif operation == "coffre_lecture":
            for _ in services.blob_lire(lectures[rang % len(lectures)]):
                pass
    duree = (time.perf_counter() - debut) / fois
    return {"secondes": duree, "pic": max(_rss_max() - avant, 0), "aes": reference}


def aes_brut(total_mib: int = 256) -> float:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aead = AESGCM(AESGCM.generate_key(bit_length=256))
    segment = os.urandom(MIB)
    nonce = os.urandom(12)
    debut = time.perf_counter()
    for _ in range(total_mib):
        aead.encrypt(nonce, segment, b"")
    return total_mib * MIB / (time.perf_counter() - debut)


# The same glibc malloc tuning as the served processes (docker-compose.yml): 1 MiB segment
# buffers come from the heap and stay mapped, instead of being mapped and faulted in afresh.
MALLOC = {"MALLOC_MMAP_THRESHOLD_": str(32 * MIB), "MALLOC_TRIM_THRESHOLD_": str(128 * MIB)}


def _enfant(operation: str, taille: int, dossier: Path) -> dict[str, float]:
    sortie = subprocess.run(
        [sys.executable, __file__, "--enfant", operation, str(taille), str(dossier)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **MALLOC},
    )
    return json.loads(sortie.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _preparer(dossier: Path, tailles: list[int]) -> None:
    _django(dossier)
    from django.core.files import File
    from django.core.files.storage import storages
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # A storage in service has the vault's 256 prefix folders (coffre/00 … coffre/ff); a new
    # one would make the first vault writes create them, which the copy (one folder) does not.
    for prefixe in range(256):
        os.makedirs(storages["default"].path(f"coffre/{prefixe:02x}"), exist_ok=True)
    for taille in tailles:
        source = dossier / f"clair-{taille}.bin"
        with open(source, "wb") as f:
            for _ in range(taille):
                f.write(os.urandom(MIB))
        # As many files as the vault reads blobs in a row (64 of 1 MiB): reading one file over
        # and over would read it from the processor's cache, not from the page cache.
        for rang in range(max(1, 64 // taille)):
            with open(source, "rb") as f:
                storages["default"].save(f"lecture-{taille}/fichier-{rang}", File(f))
    if 1 not in tailles:  # the warm-up file of every measurement
        (dossier / "clair-1.bin").write_bytes(os.urandom(MIB))


def main() -> None:
    parseur = argparse.ArgumentParser()
    parseur.add_argument("--sizes", default="1,100,1024", help="sizes in MiB")
    parseur.add_argument("--repeat", type=int, default=3)
    parseur.add_argument("--enfant", nargs=3, help=argparse.SUPPRESS)
    parseur.add_argument("--preparer", nargs=2, help=argparse.SUPPRESS)
    args = parseur.parse_args()
    if args.preparer:
        _preparer(Path(args.preparer[0]), [int(t) for t in args.preparer[1].split(",")])
        return
    if args.enfant:
        operation, taille, dossier = args.enfant
        print(json.dumps(une_mesure(operation, int(taille), Path(dossier))))
        return

    tailles = [int(t) for t in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="bench-coffre-") as brut:
        dossier = Path(brut)
        subprocess.run([sys.executable, __file__, "--preparer", brut, args.sizes], check=True)
        print(
            "AES brut = AES-256-GCM de `cryptography` (segments de 1 MiB), mesuré dans le même "
            "processus juste avant chaque opération du coffre."
        )
        print()
        entete = (
            f"{'taille':>8} {'opération':<10} {'AES MiB/s':>10} {'copie MiB/s':>12} "
            f"{'coffre MiB/s':>13} "
            f"{'/AES':>6} {'/copie':>7} {'cible':>6} {'pic copie':>10} {'pic coffre':>11}"
        )
        print(entete)
        print("-" * len(entete))
        for taille in tailles:
            repetitions = 2 if taille >= 1024 else args.repeat
            for sens in ("ecriture", "lecture"):
                copies, coffres = [], []
                for rang in range(repetitions):  # alternate which one goes first
                    paire = [("copie", copies), ("coffre", coffres)]
                    for nom, mesures in paire if rang % 2 == 0 else paire[::-1]:
                        mesures.append(_enfant(f"{nom}_{sens}", taille, dossier))
                debit_copie = taille * MIB / statistics.median(m["secondes"] for m in copies)
                debit_coffre = taille * MIB / statistics.median(m["secondes"] for m in coffres)
                limite = statistics.median(m["aes"] for m in coffres)
                cible = debit_coffre >= 0.7 * min(limite, debit_copie)
                print(
                    f"{taille:>5} MiB {sens:<10} {limite / MIB:>10,.0f} "
                    f"{debit_copie / MIB:>12,.0f} "
                    f"{debit_coffre / MIB:>13,.0f} {debit_coffre / limite:>6.2f} "
                    f"{debit_coffre / debit_copie:>7.2f} {'oui' if cible else 'NON':>6} "
                    f"{max(m['pic'] for m in copies) / MIB:>8.1f} Mo "
                    f"{max(m['pic'] for m in coffres) / MIB:>9.1f} Mo"
                )
        print()
        print(
            "cible : débit du coffre ≥ 70 % du plus faible de l'AES brut et de la copie ; "
            "pic = croissance du RSS maximal du processus pendant l'opération."
        )


if __name__ == "__main__":
    main()
