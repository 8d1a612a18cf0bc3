from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from espace_sante.coffre.services import orphelins, orphelins_supprimer


class Command(BaseCommand):
    help = (
        "Supprime les objets du stockage qu'aucun blob ne référence (écritures interrompues), "
        "plus vieux que VAULT_GC_GRACE (la tâche périodique orphelins_supprimer fait de même)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="lister sans supprimer")

    def handle(self, *args: Any, **options: Any) -> None:
        noms = list(orphelins()) if options["dry_run"] else orphelins_supprimer()
        for nom in noms:
            self.stdout.write(f"orphelin : {nom}")
        verbe = "trouvé(s)" if options["dry_run"] else "supprimé(s)"
        self.stdout.write(self.style.SUCCESS(f"{len(noms)} objet(s) orphelin(s) {verbe}."))
