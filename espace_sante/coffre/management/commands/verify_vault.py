from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from espace_sante.coffre.models import Blob
from espace_sante.coffre.services import blob_verifier


class Command(BaseCommand):
    help = "Déchiffre chaque blob et vérifie son SHA-256."

    def handle(self, *args: Any, **options: Any) -> None:
        erreurs = 0
        total = 0
        for blob in Blob.objects.order_by("cree_le").iterator(chunk_size=500):
            total += 1
            erreur = blob_verifier(blob)
            if erreur is not None:
                erreurs += 1
                self.stderr.write(f"ILLISIBLE {blob.id} : {erreur.code} ({erreur.detail})")
        if erreurs:
            raise CommandError(f"{erreurs} blob(s) illisible(s) sur {total}.")
        self.stdout.write(self.style.SUCCESS(f"Coffre intègre : {total} blob(s) vérifié(s)."))
