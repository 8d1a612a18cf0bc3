from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from espace_sante.coffre.champs import index_reconstruire, textes_rechiffrer
from espace_sante.coffre.cles import trousseau
from espace_sante.coffre.models import Blob
from espace_sante.coffre.services import cles_reenvelopper


class Command(BaseCommand):
    help = (
        "Ré-enveloppe toutes les clés de données sous la clé active (sans réécrire les blobs) et "
        "rechiffre les textes chiffrés. Reprenable et idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--lot", type=int, default=500)
        parser.add_argument(
            "--index",
            action="store_true",
            help="recalcule aussi les index aveugles (après un changement de SECRET_KEY)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        active = trousseau().active
        blobs = cles_reenvelopper(lot=options["lot"])
        textes = textes_rechiffrer(lot=options["lot"])
        restants = Blob.objects.exclude(cle_id=active).count()
        if options["index"]:
            index = index_reconstruire(lot=options["lot"])
            self.stdout.write(f"{index} index aveugle(s) recalculé(s).")
        self.stdout.write(
            self.style.SUCCESS(
                f"Clé active {active!r} : {blobs} clé(s) de blob ré-enveloppée(s), "
                f"{textes} texte(s) rechiffré(s), {restants} restant(s)."
            )
        )
