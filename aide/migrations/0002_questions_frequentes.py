"""The help centre's first questions (aide/donnees.py); operators edit them in the admin after."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from aide.donnees import QUESTIONS
from aide.recherche import normaliser


def charger(apps: Any, schema_editor: Any) -> None:
    question_frequente = apps.get_model("aide", "QuestionFrequente")
    question_frequente.objects.bulk_create(
        question_frequente(
            theme=theme,
            question=question,
            reponse=reponse,
            ordre=rang * 10,
            publiee=True,
            texte_recherche=normaliser(f"{question}\n{reponse}"),
        )
        for rang, (theme, question, reponse) in enumerate(QUESTIONS)
    )


def retirer(apps: Any, schema_editor: Any) -> None:
    apps.get_model("aide", "QuestionFrequente").objects.filter(
        question__in=[q for _t, q, _r in QUESTIONS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("aide", "0001_initial")]

    operations = [migrations.RunPython(charger, retirer)]
