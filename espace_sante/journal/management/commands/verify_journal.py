from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from espace_sante.journal import points
from espace_sante.journal.models import ChaineJournal, Evenement
from espace_sante.journal.sceaux import sceaux
from espace_sante.journal.services import journal_verifier, tetes_sceller


class Command(BaseCommand):
    help = (
        "Vérifie le journal : chaînes d'empreintes, sceaux des têtes de chaîne et dernier point "
        "de contrôle du stockage (docs/JOURNAL.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chaine", action="append", help="ne vérifier que cette chaîne")
        parser.add_argument(
            "--empreinte", type=Path, help="vérifier l'empreinte d'historique téléchargée"
        )
        parser.add_argument(
            "--cles-publiques", action="store_true", help="afficher les clés publiques à publier"
        )
        parser.add_argument(
            "--point", action="store_true", help="écrire un point de contrôle après vérification"
        )
        parser.add_argument(
            "--sceller",
            action="store_true",
            help="(re)sceller avec la clé active les têtes dont la chaîne est intègre",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["cles_publiques"]:
            for cle_id, publique in sceaux().cles_publiques().items():
                self.stdout.write(f"{cle_id} {publique}")
            return
        if options["empreinte"]:
            self._empreinte(options["empreinte"])
            return
        if options["sceller"]:
            scellees, refusees = tetes_sceller(chaines=options["chaine"])
            self.stdout.write(f"{scellees} tête(s) scellée(s), {refusees} refusée(s).")
        anomalies = list(journal_verifier(chaines=options["chaine"]))
        for anomalie in anomalies:
            self.stderr.write(f"ANOMALIE {anomalie}")
        if anomalies:
            raise CommandError(f"{len(anomalies)} anomalie(s) dans le journal.")
        lecture = points.dernier_point()
        repere = (
            f"point de contrôle du {lecture.point.horodatage}"
            if lecture.point
            else "aucun point de contrôle"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Journal intègre : {Evenement.objects.count()} événements, "
                f"{ChaineJournal.objects.count()} chaînes, {repere}."
            )
        )
        if options["point"]:
            self.stdout.write(f"Point de contrôle écrit : {points.point_de_controle_ecrire()}")

    def _empreinte(self, fichier: Path) -> None:
        try:
            document = json.loads(fichier.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Empreinte illisible : {exc}") from exc
        problemes = points.empreinte_verifier(document)
        for probleme in problemes:
            self.stderr.write(f"ANOMALIE {probleme}")
        if problemes:
            raise CommandError("L'empreinte ne correspond pas au journal.")
        contenu = document["contenu"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Empreinte valide : l'historique contient toujours ses {contenu['rang']} "
                f"premiers événements, tels qu'au {contenu['horodatage']}."
            )
        )
