"""Every free-text field of the profile has a maximum length (issue 13, finding 7): a value too
long is refused with a clear message on the form, and nothing is saved."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import reverse

from espace_sante.coffre.champs import DecimalChiffre, TexteChiffre
from espace_sante.journal.models import Action, Evenement
from profil.models import Allergie, DirectivesAnticipees

pytestmark = pytest.mark.django_db


def test_every_encrypted_free_text_field_has_a_maximum_length() -> None:
    sans_limite = [
        f"{modele._meta.label}.{champ.name}"
        for modele in apps.get_models()
        if modele._meta.app_label in {"profil", "dossier"}
        for champ in modele._meta.get_fields()
        if isinstance(champ, TexteChiffre)
        and not isinstance(champ, DecimalChiffre)  # bounded by its digits
        and champ.max_length is None
    ]
    # Written by the system only: the facts read from a file, the insurer's codes, the
    # quarantined line, a lab result and the reasons its reading skipped some (bounded where
    # they are read).
    assert sorted(sans_limite) == [
        "dossier.Document.faits",
        "dossier.LectureResultats.motifs",
        "dossier.LigneQuarantaine.contenu",
        "dossier.LigneRemboursement.codes",
        "dossier.Resultat.contenu",
    ]


def test_an_over_long_allergy_is_refused_with_a_clear_message(client_titulaire, titulaire) -> None:
    reponse = client_titulaire.post(
        reverse("profil:profil_ajouter", args=[titulaire.uuid, "allergies"]),
        {"substance": "P" * 201, "severite": "legere"},
    )
    assert reponse.status_code == 400
    assert "200 caractères" in reponse.content.decode()
    assert not Allergie.objects.exists()
    assert not Evenement.objects.filter(action=Action.PROFIL_AJOUT).exists()


def test_over_long_directives_are_refused_with_a_clear_message(client_titulaire, titulaire) -> None:
    reponse = client_titulaire.post(
        reverse("profil:profil_unique", args=[titulaire.uuid, "directives"]),
        {"situation": "bonne_sante", "autres": "x" * 5001, "fait_le": "2026-01-15"},
    )
    assert reponse.status_code == 400
    assert "5000 caractères" in reponse.content.decode()
    assert not DirectivesAnticipees.objects.exists()
