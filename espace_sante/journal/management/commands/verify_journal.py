from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from espace_sante.journal.models import ChaineJournal, Evenement
from espace_sante.journal.services import journal_verifier


class Command(BaseCommand):
    help = (
        "Vérifie les chaînes d'empreintes du journal : modification, suppression, réordonnancement."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chaine", action="append", help="ne vérifier que cette chaîne")

    def handle(self, *args: Any, **options: Any) -> None:
        anomalies = list(journal_verifier(chaines=options["chaine"]))
        for anomalie in anomalies:
            self.stderr.write(f"ANOMALIE {anomalie}")
        if anomalies:
            raise CommandError(f"{len(anomalies)} anomalie(s) dans le journal.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Journal intègre : {Evenement.objects.count()} événements, "
                f"{ChaineJournal.objects.count()} chaînes."
            )
        )
