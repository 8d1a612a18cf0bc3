"""The operators' admin of protection measures, through Django's test client as a staff
operator: recording (checked, journaled), finding the person in charge by name or INS, reading
names and dates only, ending a measure."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from espace_sante.acces import espaces_accessibles
from espace_sante.journal.models import Action, Evenement, TypeActeur
from profil.models import MesureProtection, TypeProtection

from ..conftest import client_pour
from ..factories import EspaceFactory, MesureProtectionFactory, document

pytestmark = pytest.mark.django_db

AJOUT = "admin:profil_mesureprotection_add"
LISTE = "admin:profil_mesureprotection_changelist"


@pytest.fixture
def client_mesures(operateur) -> Client:  # type: ignore[no-untyped-def]
    """An operator allowed to record and end protection measures."""
    operateur.user_permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "view_mesureprotection",
                "add_mesureprotection",
                "change_mesureprotection",
            ]
        )
    )
    return client_pour(operateur)


def _saisie(protege, responsable, **champs: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "espace": str(protege.pk),
        "type": TypeProtection.TUTELLE,
        "responsable": str(responsable.pk),
        "decision_justice": "TJ de Nantes, 12 janvier 2026, RG 26/00017",
        "debut": "2026-01-12",
        "fin": "",
        **champs,
    }


def test_an_operator_records_a_tutelle_journaled_in_their_name(client_mesures: Client) -> None:
    protege, tuteur = EspaceFactory(prenoms="Paul", sexe="M"), EspaceFactory(prenoms="Jeanne")
    formulaire = client_mesures.get(reverse(AJOUT))
    assert formulaire.status_code == 200
    reponse = client_mesures.post(reverse(AJOUT), _saisie(protege, tuteur))
    assert reponse.status_code == 302
    mesure = MesureProtection.objects.get()
    assert (mesure.espace, mesure.responsable, mesure.debut) == (protege, tuteur, date(2026, 1, 12))
    evenement = Evenement.objects.get(action=Action.PROTECTION_ENREGISTREE)
    assert evenement.espace_uuid == protege.uuid
    assert evenement.acteur_type == TypeActeur.OPERATEUR
    assert evenement.acteur_nom == "Olivia OPÉRATRICE"
    assert protege in [a.espace for a in espaces_accessibles(utilisateur=tuteur.titulaire)]


@pytest.mark.parametrize(
    ("champs", "message"),
    [
        ({"fin": "2026-01-01"}, "La date de fin doit être après la date de début."),
        ({"debut": "2026-01-01", "soi_meme": "1"}, "ne peut pas être chargée de sa propre"),
    ],
    ids=["dates", "soi_meme"],
)
def test_a_bad_measure_shows_a_clear_message_and_records_nothing(  # type: ignore[no-untyped-def]
    client_mesures: Client, champs, message
) -> None:
    protege, tuteur = EspaceFactory(), EspaceFactory()
    if champs.pop("soi_meme", None):
        tuteur = protege
    reponse = client_mesures.post(reverse(AJOUT), _saisie(protege, tuteur, **champs))
    assert reponse.status_code == 200
    assert message in reponse.content.decode()
    assert not MesureProtection.objects.exists()
    assert not Evenement.objects.filter(action=Action.PROTECTION_ENREGISTREE).exists()


def test_an_overlapping_measure_is_refused_in_the_form(client_mesures: Client) -> None:
    existante = MesureProtectionFactory()
    reponse = client_mesures.post(
        reverse(AJOUT), _saisie(existante.espace, EspaceFactory(), type="curatelle")
    )
    assert "couvre déjà ces dates" in reponse.content.decode()
    assert MesureProtection.objects.count() == 1


def test_the_person_in_charge_is_found_by_name_or_ins(client_mesures: Client) -> None:
    jeanne = EspaceFactory(nom_naissance="LEBRETON", prenoms="Jeanne")
    url = reverse("admin:autocomplete")
    parametres = {"app_label": "profil", "model_name": "mesureprotection"}
    for terme in ("lebreton", jeanne.ins):
        reponse = client_mesures.get(
            url, {**parametres, "field_name": "responsable", "term": terme}
        )
        assert reponse.status_code == 200
        assert [r["id"] for r in reponse.json()["results"]] == [str(jeanne.pk)]


def test_the_admin_shows_names_and_dates_never_health_content(client_mesures: Client) -> None:
    mesure = MesureProtectionFactory(type=TypeProtection.CURATELLE)
    document(mesure.espace, titre="Compte rendu d'hospitalisation psychiatrique")
    liste = client_mesures.get(reverse(LISTE)).content.decode()
    assert mesure.espace.nom_naissance in liste and mesure.responsable.nom_naissance in liste
    assert "en attente de l&#x27;accord de la personne" in liste
    fiche = client_mesures.get(
        reverse("admin:profil_mesureprotection_change", args=[mesure.pk])
    ).content.decode()
    assert "RG 24/01234" in fiche
    for page in (liste, fiche):
        assert "hospitalisation" not in page
    # a recorded measure is read only: it changes through its actions
    assert 'name="decision_justice"' not in fiche


def test_ending_a_measure_asks_for_a_date_and_a_reason_then_ends_the_rights(
    client_mesures: Client,
) -> None:
    mesure = MesureProtectionFactory()
    tuteur = mesure.responsable.titulaire
    action = {"action": "action_terminer", "_selected_action": [str(mesure.pk)]}
    confirmation = client_mesures.post(reverse(LISTE), action).content.decode()
    assert "Mettre fin à la mesure — confirmation" in confirmation
    assert mesure.espace.nom_naissance in confirmation
    sans_motif = client_mesures.post(
        reverse(LISTE), {**action, "confirmer": "1", "le": timezone.localdate().isoformat()}
    )
    assert "Ce champ est obligatoire" in sans_motif.content.decode()
    assert MesureProtection.objects.get(pk=mesure.pk).fin is None
    fait = client_mesures.post(
        reverse(LISTE),
        {
            **action,
            "confirmer": "1",
            "le": timezone.localdate().isoformat(),
            "motif": "Mainlevée par jugement",
        },
        follow=True,
    ).content.decode()
    assert "1 mesure terminée" in fait
    mesure.refresh_from_db()
    assert mesure.fin == timezone.localdate() - timedelta(days=1)
    assert mesure.motif_fin == "Mainlevée par jugement"
    assert mesure.espace not in [a.espace for a in espaces_accessibles(utilisateur=tuteur)]
    evenement = Evenement.objects.get(action=Action.PROTECTION_TERMINEE)
    assert evenement.acteur_type == TypeActeur.OPERATEUR
    again = client_mesures.post(
        reverse(LISTE),
        {**action, "confirmer": "1", "le": timezone.localdate().isoformat(), "motif": "Encore"},
        follow=True,
    ).content.decode()
    assert "Cette mesure est déjà terminée." in again


def test_an_operator_without_the_permission_records_nothing(client_operateur: Client) -> None:
    protege, tuteur = EspaceFactory(), EspaceFactory()
    assert client_operateur.get(reverse(AJOUT)).status_code == 403
    assert client_operateur.post(reverse(AJOUT), _saisie(protege, tuteur)).status_code == 403
    assert not MesureProtection.objects.exists()


def test_a_measure_is_never_deleted_in_the_admin(client_mesures: Client) -> None:
    mesure = MesureProtectionFactory()
    url = reverse("admin:profil_mesureprotection_delete", args=[mesure.pk])
    assert client_mesures.post(url, {"post": "yes"}).status_code == 403
    assert MesureProtection.objects.filter(pk=mesure.pk).exists()
