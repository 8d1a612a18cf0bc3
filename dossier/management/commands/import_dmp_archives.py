"""``manage.py import_dmp_archives DIR``: the operators' bulk migration of DMP archives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dossier.import_dmp import archives_migrer, migration_attendre
from espace_sante.journal.models import TypeActeur
from espace_sante.journal.services import Acteur


class Command(BaseCommand):
    help = (
        "Importe les archives XDM d'un dossier (récursivement) dans les espaces santé dont "
        "l'INS correspond, par la file des tâches, avec une concurrence bornée. "
        "Peut être relancée sans risque : ce qui est déjà importé n'est pas refait."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dossier", type=Path)
        parser.add_argument(
            "--concurrence",
            type=int,
            default=2,
            help="imports en attente ou en cours à la fois, au plus (2 par défaut)",
        )
        parser.add_argument(
            "--delai",
            type=float,
            default=3600.0,
            help="secondes d'attente au plus : d'une place dans la file pour chaque archive, "
            "puis de la fin des imports avant le bilan (0 : programmer sans attendre la fin)",
        )

    def handle(
        self, *args: Any, dossier: Path, concurrence: int, delai: float, **options: Any
    ) -> None:
        if not dossier.is_dir():
            raise CommandError(f"{dossier} n'est pas un dossier.")
        if concurrence < 1:
            raise CommandError("--concurrence doit valoir au moins 1.")
        chemins = sorted(p for p in dossier.rglob("*.zip") if p.is_file() and not p.is_symlink())
        self.stdout.write(f"{len(chemins)} archive(s) trouvée(s) dans {dossier}.")
        migration = archives_migrer(
            chemins,
            acteur=Acteur(type=TypeActeur.OPERATEUR, nom="Migration des DMP (exploitation)"),
            concurrence=concurrence,
            delai=delai if delai > 0 else 3600.0,
            sur_archive=lambda nom, issue: self.stdout.write(f"  {nom} : {issue}"),
        )
        self.stdout.write(
            f"Programmées : {len(migration.programmees)} ; reprises : {len(migration.reprises)} ; "
            f"déjà importées : {len(migration.deja_importees)} ; "
            f"refusées : {len(migration.refusees)} ; non programmées : "
            f"{len(migration.en_suspens)}."
        )
        if delai <= 0 or not migration.demandes:
            return
        bilan = migration_attendre(migration, delai=delai)
        self.stdout.write(
            f"Imports terminés : {bilan['terminees']} ; archives refusées par la tâche : "
            f"{bilan['refusees']} ; inachevés : {bilan['inachevees']}.\n"
            f"Documents importés : {bilan['importes']} ; déjà présents : "
            f"{bilan['deja_presents']} ; refusés : {bilan['refuses']}."
        )
        if bilan["inachevees"] or migration.en_suspens:
            raise CommandError(
                "Des imports ne sont pas terminés : relancez la commande plus tard (elle reprend "
                "où elle s'est arrêtée)."
            )
