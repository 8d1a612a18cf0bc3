"""``manage.py resultats_lire``: read the lab results of the CDA documents available before
results were read at ingestion (or read them all again with ``--tous``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dossier.models import Document, Nature, Statut
from dossier.resultats.lecture import document_relire, documents_a_lire


class Command(BaseCommand):
    help = (
        "Lit les résultats de biologie des documents CDA disponibles qui n'ont pas encore été "
        "lus (--tous : relit tous les documents CDA). Peut être relancée sans risque : les "
        "résultats d'un document relu remplacent les précédents, sans doublon."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tous", action="store_true", help="relire aussi les documents lus")

    def handle(self, *args: Any, tous: bool, **options: Any) -> None:
        documents = (
            Document.objects.filter(nature=Nature.CDA, statut=Statut.DISPONIBLE).select_related(
                "blob"
            )
            if tous
            else documents_a_lire()
        )
        lus = resultats = ignores = 0
        for document in documents.iterator(chunk_size=200):
            lecture = document_relire(document=document)
            lus += 1
            if lecture is not None:
                resultats += len(lecture.observations)
                ignores += len(lecture.ignorees)
        self.stdout.write(
            f"{lus} document(s) relu(s) : {resultats} résultat(s) lu(s), {ignores} ignoré(s)."
        )
