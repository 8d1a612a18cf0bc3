"""``manage.py import_dmp_archives DIR``: the operators' bulk migration of DMP archives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dossier.import_masse import archives_migrer, archives_trouver, migration_attendre
from espace_sante.journal.models import TypeActeur
from espace_sante.journal.services import Acteur


class Command(BaseCommand):
    help = (
        "Importe les archives XDM d'un dossier (récursivement, « .zip » en majuscules ou "
        "minuscules : le kit national range chaque archive dans son dossier, sous le nom "
        "IHE_XDM.ZIP) dans les espaces santé dont l'INS correspond, par la file des tâches, avec "
        "une concurrence bornée. Chaque archive est nommée par son chemin dans le dossier. "
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
        recherche = archives_trouver(dossier)
        self.stdout.write(f"{len(recherche.archives)} archive(s) trouvée(s) dans {dossier}.")
        for nom, motif in recherche.ignorees:
            self.stdout.write(f"  {nom} : ignoré ({motif})")
        migration = archives_migrer(
            recherche.archives,
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
        archives = (
            f"Archives : {len(recherche.archives)} trouvée(s) ; "
            f"{len(migration.programmees) + len(migration.reprises)} programmée(s) ; "
            f"{len(migration.deja_importees)} déjà importée(s) ; "
            f"{len(migration.refusees)} refusée(s) ; {len(migration.en_suspens)} non programmée(s)."
        )
        if delai <= 0 or not migration.demandes:
            self.stdout.write("Bilan")
            self.stdout.write(f"  {archives}")
            if migration.demandes:
                self.stdout.write(
                    "  Documents : non comptés (--delai 0) ; les imports continuent, le "
                    "rapport de chacun est sur la page d'import de son espace (administration)."
                )
            return
        bilan = migration_attendre(migration, delai=delai)
        for nom, detail in bilan.details:
            self.stdout.write(f"  {nom} : {detail}")
        self.stdout.write("Bilan")
        self.stdout.write(f"  {archives}")
        self.stdout.write(
            f"  Imports : {bilan.terminees} terminé(s) ; {bilan.refusees} archive(s) refusée(s) "
            f"par la tâche ; {bilan.inachevees} inachevé(s)."
        )
        self.stdout.write(
            f"  Documents : {bilan.importes} importé(s) ; {bilan.deja_presents} déjà présent(s) ; "
            f"{bilan.conflits} conflit(s) (contenu différent : le titulaire choisit) ; "
            f"{bilan.refuses} refusé(s)."
        )
        if bilan.inachevees or migration.en_suspens:
            raise CommandError(
                "Des imports ne sont pas terminés : relancez la commande plus tard (elle reprend "
                "où elle s'est arrêtée)."
            )
