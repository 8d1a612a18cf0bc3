"""Protected adults (issue 21, point 3): recording a tutelle or curatelle, its checks and
journal, the tutor's rights through the portal's pages, the protected person's answer to a
curatelle, and the end of a measure."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dossier.models import ReglagesDossier
from espace_sante.acces import Role, Rubrique, espace_pour_acteur
from espace_sante.comptes.models import Notification, TypeNotification
from espace_sante.journal.models import Action, Evenement, TypeActeur
from espace_sante.journal.services import Acteur
from espace_sante.lib.erreurs import Refus
from proches import protection
from professionnels.models import AccesProfessionnel
from profil.models import MesureProtection, Statut, TypeProtection

from ..conftest import client_pour
from ..factories import (
    EspaceFactory,
    MesureProtectionFactory,
    ProfessionnelFactory,
    UtilisateurFactory,
    document,
)

pytestmark = pytest.mark.django_db

AUJOURD_HUI = timezone.localdate
HIER = lambda: AUJOURD_HUI() - timedelta(days=1)  # noqa: E731


def _operateur() -> Acteur:
    return Acteur.pour_utilisateur(
        UtilisateurFactory(is_staff=True, prenom="Olivia", nom="OPÉRATRICE"), TypeActeur.OPERATEUR
    )


def _enregistrer(espace, responsable, type=TypeProtection.TUTELLE, **dates):  # type: ignore[no-untyped-def]
    return protection.protection_enregistrer(
        espace=espace,
        type=type,
        responsable=responsable,
        decision_justice="Jugement du tribunal judiciaire de Lyon, RG 26/00042",
        debut=dates.get("debut", date(2026, 1, 5)),
        fin=dates.get("fin"),
        acteur=_operateur(),
        ip="192.0.2.1",
    )


def _peut(espace, utilisateur, rubrique=Rubrique.ACCUEIL) -> bool:  # type: ignore[no-untyped-def]
    try:
        espace_pour_acteur(utilisateur=utilisateur, espace_uuid=espace.uuid, rubrique=rubrique)
    except Http404:
        return False
    return True


def _acces_titulaire(espace):  # type: ignore[no-untyped-def]
    return espace_pour_acteur(
        utilisateur=espace.titulaire, espace_uuid=espace.uuid, rubrique=Rubrique.GESTION
    )


# --- Recording a measure -----------------------------------------------------------------------


def test_a_tutelle_is_journaled_with_the_operator_and_the_tutor_is_told() -> None:
    protege = EspaceFactory(prenoms="Paul", sexe="M")
    tuteur = EspaceFactory(prenoms="Jeanne")
    mesure = _enregistrer(protege, tuteur)
    evenement = Evenement.objects.get(
        espace_uuid=protege.uuid, action=Action.PROTECTION_ENREGISTREE
    )
    assert evenement.acteur_type == TypeActeur.OPERATEUR
    assert evenement.acteur_nom == "Olivia OPÉRATRICE"
    assert evenement.details["mesure"] == "tutelle"
    assert evenement.details["responsable"] == tuteur.nom_complet
    notification = Notification.objects.get(type=TypeNotification.PROTECTION_A_ACCEPTER)
    assert notification.destinataire == tuteur.titulaire
    assert _peut(protege, tuteur.titulaire, Rubrique.GESTION)
    assert mesure.donne_acces


def test_a_curatelle_tells_the_protected_person_and_opens_nothing_yet() -> None:
    protege, curateur = EspaceFactory(), EspaceFactory()
    mesure = _enregistrer(protege, curateur, TypeProtection.CURATELLE)
    notification = Notification.objects.get(type=TypeNotification.PROTECTION_A_ACCEPTER)
    assert notification.destinataire == protege.titulaire
    assert not _peut(protege, curateur.titulaire)
    assert list(protection.mesures_a_accepter(protege)) == [mesure]


@pytest.mark.parametrize(
    ("protege", "responsable", "dates", "message"),
    [
        ({"date_naissance": date(2012, 3, 3)}, {}, {}, "majeure à la date de début"),
        ({}, {"date_naissance": date(2012, 3, 3)}, {}, "doit être majeure"),
        ({}, {"statut": Statut.CREE, "titulaire": None}, {}, "n'est pas activé"),
        ({"statut": Statut.CLOTURE}, {}, {}, "n'est pas ouvert"),
        ({}, {}, {"debut": date(2026, 3, 1), "fin": date(2026, 3, 1)}, "après la date de début"),
    ],
    ids=["protege_mineur", "responsable_mineur", "responsable_non_active", "clos", "dates"],
)
def test_a_measure_the_portal_cannot_carry_is_refused_and_nothing_changes(  # type: ignore[no-untyped-def]
    protege, responsable, dates, message
) -> None:
    espace, charge = EspaceFactory(**protege), EspaceFactory(**responsable)
    with pytest.raises(Refus, match=message):
        _enregistrer(espace, charge, **dates)
    assert not MesureProtection.objects.exists()
    assert not Evenement.objects.filter(action=Action.PROTECTION_ENREGISTREE).exists()


def test_one_cannot_be_in_charge_of_one_s_own_measure() -> None:
    espace = EspaceFactory()
    with pytest.raises(Refus, match="sa propre mesure"):
        _enregistrer(espace, espace)


def test_a_minor_whose_measure_starts_at_majority_may_be_recorded_ahead() -> None:
    naissance = AUJOURD_HUI().replace(year=AUJOURD_HUI().year - 18) + timedelta(days=30)
    protege = EspaceFactory(date_naissance=naissance, titulaire=None, statut=Statut.CREE)
    tuteur = EspaceFactory()
    majorite = naissance.replace(year=naissance.year + 18)
    _enregistrer(protege, tuteur, debut=majorite)
    assert not _peut(protege, tuteur.titulaire)  # not before the start date


def test_two_measures_over_the_same_days_are_refused_one_after_the_other_is_not() -> None:
    protege = EspaceFactory()
    _enregistrer(protege, EspaceFactory(), debut=date(2025, 1, 1), fin=date(2025, 12, 31))
    with pytest.raises(Refus, match="couvre déjà ces dates"):
        _enregistrer(protege, EspaceFactory(), debut=date(2025, 6, 1))
    with pytest.raises(Refus, match="couvre déjà ces dates"):
        _enregistrer(protege, EspaceFactory(), debut=date(2024, 1, 1), fin=date(2025, 1, 1))
    _enregistrer(protege, EspaceFactory(), debut=date(2026, 1, 1))
    assert MesureProtection.objects.filter(espace=protege).count() == 2


def test_a_measure_to_come_opens_nothing_before_its_start() -> None:
    protege, tuteur = EspaceFactory(), EspaceFactory()
    _enregistrer(protege, tuteur, debut=AUJOURD_HUI() + timedelta(days=3))
    assert not _peut(protege, tuteur.titulaire)


# --- Ending a measure --------------------------------------------------------------------------


def test_ending_a_tutelle_today_ends_the_tutor_s_rights_at_once_and_is_journaled() -> None:
    mesure = MesureProtectionFactory()
    tuteur = mesure.responsable.titulaire
    assert _peut(mesure.espace, tuteur, Rubrique.DOCUMENTS)
    protection.protection_terminer(
        mesure=mesure, le=AUJOURD_HUI(), motif="Mainlevée", acteur=_operateur(), ip=None
    )
    mesure.refresh_from_db()
    assert mesure.fin == HIER() and mesure.motif_fin == "Mainlevée"
    assert not _peut(mesure.espace, tuteur)
    evenement = Evenement.objects.get(action=Action.PROTECTION_TERMINEE)
    assert evenement.espace_uuid == mesure.espace.uuid
    assert evenement.acteur_type == TypeActeur.OPERATEUR
    assert evenement.details["motif"] == "Mainlevée"


def test_ending_a_measure_later_keeps_the_rights_until_then() -> None:
    mesure = MesureProtectionFactory()
    protection.protection_terminer(
        mesure=mesure,
        le=AUJOURD_HUI() + timedelta(days=10),
        motif="Jugement de mainlevée",
        acteur=_operateur(),
        ip=None,
    )
    assert _peut(mesure.espace, mesure.responsable.titulaire)


def test_an_ended_measure_cannot_be_ended_again_nor_before_its_start() -> None:
    mesure = MesureProtectionFactory(debut=date(2026, 1, 1))
    with pytest.raises(Refus, match="précéder le début"):
        protection.protection_terminer(
            mesure=mesure, le=date(2025, 12, 1), motif="Erreur", acteur=_operateur(), ip=None
        )
    protection.protection_terminer(
        mesure=mesure, le=AUJOURD_HUI(), motif="Mainlevée", acteur=_operateur(), ip=None
    )
    with pytest.raises(Refus, match="déjà terminée"):
        protection.protection_terminer(
            mesure=mesure, le=AUJOURD_HUI(), motif="Encore", acteur=_operateur(), ip=None
        )


def test_an_ended_curatelle_closes_the_curator_s_access() -> None:
    mesure = MesureProtectionFactory(type=TypeProtection.CURATELLE, acceptee_le=timezone.now())
    curateur = mesure.responsable.titulaire
    assert _peut(mesure.espace, curateur, Rubrique.DOCUMENTS)
    protection.protection_terminer(
        mesure=mesure, le=AUJOURD_HUI(), motif="Fin", acteur=_operateur(), ip=None
    )
    assert not _peut(mesure.espace, curateur)
    assert not protection.mesures_a_accepter(mesure.espace).exists()


# --- Curatelle: the protected person's answer --------------------------------------------------


def test_the_protected_person_accepts_refuses_and_withdraws_with_immediate_effect() -> None:
    mesure = MesureProtectionFactory(type=TypeProtection.CURATELLE)
    protege, curateur = mesure.espace, mesure.responsable.titulaire
    acces = _acces_titulaire(protege)
    protection.protection_accepter(acces=acces, mesure_id=mesure.pk, ip=None)
    curatelle = espace_pour_acteur(
        utilisateur=curateur, espace_uuid=protege.uuid, rubrique=Rubrique.PROFIL, ecriture=True
    )
    assert curatelle.role == Role.CURATEUR and curatelle.ecriture
    assert not _peut(protege, curateur, Rubrique.GESTION)  # no management
    assert not protection.mesures_a_accepter(protege).exists()
    protection.protection_refuser(acces=acces, mesure_id=mesure.pk, ip=None)  # withdrawal
    assert not _peut(protege, curateur)
    actions = list(
        Evenement.objects.filter(espace_uuid=protege.uuid)
        .order_by("id")
        .values_list("action", "acteur_type")
    )
    assert actions == [
        (Action.PROTECTION_ACCEPTEE, TypeActeur.TITULAIRE),
        (Action.PROTECTION_REFUSEE, TypeActeur.TITULAIRE),
    ]
    assert Evenement.objects.get(action=Action.PROTECTION_REFUSEE).details["retrait"] is True
    protection.protection_accepter(acces=acces, mesure_id=mesure.pk, ip=None)  # changes mind
    assert _peut(protege, curateur)


def test_a_refusal_keeps_the_curator_out() -> None:
    mesure = MesureProtectionFactory(type=TypeProtection.CURATELLE)
    protection.protection_refuser(
        acces=_acces_titulaire(mesure.espace), mesure_id=mesure.pk, ip=None
    )
    assert not _peut(mesure.espace, mesure.responsable.titulaire)
    assert not protection.mesures_a_accepter(mesure.espace).exists()
    assert Evenement.objects.get(action=Action.PROTECTION_REFUSEE).details["retrait"] is False


def test_only_the_protected_holder_decides_not_a_tutor_of_a_tutelle() -> None:
    tutelle = MesureProtectionFactory()
    acces_tuteur = espace_pour_acteur(
        utilisateur=tutelle.responsable.titulaire,
        espace_uuid=tutelle.espace.uuid,
        rubrique=Rubrique.GESTION,
    )
    with pytest.raises(Refus, match="Seule la personne protégée"):
        protection.protection_accepter(acces=acces_tuteur, mesure_id=tutelle.pk, ip=None)
    with pytest.raises(Refus, match="plus en vigueur"):  # a tutelle is not for the holder to accept
        protection.protection_accepter(
            acces=_acces_titulaire(tutelle.espace), mesure_id=tutelle.pk, ip=None
        )


# --- The portal's pages ------------------------------------------------------------------------


def _proches(client: Client, espace) -> str:  # type: ignore[no-untyped-def]
    reponse = client.get(reverse("proches:proches", args=[espace.uuid]))
    assert reponse.status_code == 200
    return reponse.content.decode()


def test_the_proches_page_lets_the_protected_person_accept_then_withdraw() -> None:
    mesure = MesureProtectionFactory(type=TypeProtection.CURATELLE)
    protege, curateur = mesure.espace, mesure.responsable
    client = client_pour(protege.titulaire)
    page = _proches(client, protege)
    assert "Curatelle" in page and curateur.nom_complet in page and "Refuser" in page
    accepter = reverse("proches:protection_decider", args=[protege.uuid, "accepter"])
    assert f"{accepter}?mesure={mesure.pk}" in page
    confirmation = client.get(accepter, {"mesure": mesure.pk})
    assert confirmation.status_code == 200
    assert "Vous pouvez retirer votre accord" in confirmation.content.decode()
    assert client.post(accepter, {"mesure": mesure.pk}).status_code == 302
    assert _peut(protege, curateur.titulaire, Rubrique.DOCUMENTS)
    page = _proches(client, protege)
    assert "Retirer mon accord" in page
    refuser = reverse("proches:protection_decider", args=[protege.uuid, "refuser"])
    assert "dès maintenant" in client.get(refuser, {"mesure": mesure.pk}).content.decode()
    client.post(refuser, {"mesure": mesure.pk})
    assert not _peut(protege, curateur.titulaire)


def test_the_curator_sees_the_measure_they_hold_and_the_link_once_accepted() -> None:
    mesure = MesureProtectionFactory(type=TypeProtection.CURATELLE)
    curateur = mesure.responsable
    client = client_pour(curateur.titulaire)
    page = _proches(client, curateur)
    assert "Les mesures qui vous sont confiées" in page
    assert "En attente de l'accord de la personne protégée" in page
    MesureProtection.objects.filter(pk=mesure.pk).update(acceptee_le=timezone.now())
    page = _proches(client, curateur)
    assert reverse("ensemble:espace", args=[mesure.espace.uuid]) in page


def test_nobody_but_the_protected_holder_reaches_the_decision_pages() -> None:
    mesure = MesureProtectionFactory(type=TypeProtection.CURATELLE, acceptee_le=timezone.now())
    tutelle = MesureProtectionFactory()
    autres = {
        "curateur": (mesure.responsable.titulaire, mesure),
        "inconnu": (EspaceFactory().titulaire, mesure),
        "tuteur": (tutelle.responsable.titulaire, tutelle),
    }
    for nom, (utilisateur, m) in autres.items():
        client = client_pour(utilisateur)
        for choix in ("accepter", "refuser"):
            url = reverse("proches:protection_decider", args=[m.espace.uuid, choix])
            assert client.get(url, {"mesure": m.pk}).status_code == 404, nom
            assert client.post(url, {"mesure": m.pk}).status_code == 404, nom
    # the holder: another space's measure, a tutelle, no measure, an unknown answer
    client = client_pour(mesure.espace.titulaire)
    accepter = reverse("proches:protection_decider", args=[mesure.espace.uuid, "accepter"])
    for donnees in ({"mesure": tutelle.pk}, {}, {"mesure": "x"}):
        assert client.post(accepter, donnees).status_code == 404
    inconnu = reverse("proches:protection_decider", args=[mesure.espace.uuid, "supprimer"])
    assert client.post(inconnu, {"mesure": mesure.pk}).status_code == 404
    client = client_pour(tutelle.espace.titulaire)
    refuser = reverse("proches:protection_decider", args=[tutelle.espace.uuid, "refuser"])
    assert client.post(refuser, {"mesure": tutelle.pk}).status_code == 404
    mesure.refresh_from_db()
    assert mesure.refusee_le is None and mesure.acceptee_le is not None


def test_the_tutor_acts_for_the_protected_adult_through_the_portal_until_the_end() -> None:
    mesure = MesureProtectionFactory()
    protege, tuteur = mesure.espace, mesure.responsable
    doc = document(protege, titre="Compte rendu de consultation")
    pro = ProfessionnelFactory()
    AccesProfessionnel.objects.create(espace=protege, professionnel=pro, autorise=True)
    client = client_pour(tuteur.titulaire)
    u = protege.uuid

    bascule = client.post(reverse("profil:basculer"), {"espace": str(u)})
    assert bascule.status_code == 302
    assert bascule["Location"] == reverse("ensemble:espace", args=[u])
    assert doc.titre in client.get(reverse("dossier:documents", args=[u])).content.decode()
    assert client.get(reverse("profil:profil_medical", args=[u])).status_code == 200
    assert client.get(reverse("professionnels:liste", args=[u])).status_code == 200
    client.post(reverse("professionnels:revoquer", args=[u, pro.uuid]))
    assert not AccesProfessionnel.objects.get(espace=protege, professionnel=pro).autorise
    client.post(reverse("dossier:reglages", args=[u]), {"tout_masque": "on"})
    assert ReglagesDossier.objects.get(espace=protege).tout_masque
    assert client.get(reverse("ensemble:exports", args=[u])).status_code == 200
    assert "Tutelle" in client.get(reverse("proches:proches", args=[u])).content.decode()
    # the directives anticipées stay the adult's own
    directives = reverse("profil:profil_unique", args=[u, "directives"])
    assert client.get(directives).status_code == 404
    assert client_pour(protege.titulaire).get(directives).status_code == 200

    journal = Evenement.objects.filter(espace_uuid=u, acteur_type=TypeActeur.TUTEUR)
    assert journal.exists() and all(", tutrice" in e.acteur_nom for e in journal)

    protection.protection_terminer(
        mesure=mesure, le=AUJOURD_HUI(), motif="Mainlevée", acteur=_operateur(), ip=None
    )
    for url in (
        reverse("dossier:documents", args=[u]),
        reverse("profil:profil_medical", args=[u]),
        reverse("ensemble:exports", args=[u]),
    ):
        assert client.get(url).status_code == 404


def test_the_home_of_the_protected_person_asks_for_their_answer_until_they_give_it() -> None:
    mesure = MesureProtectionFactory(type=TypeProtection.CURATELLE)
    protege, curateur = mesure.espace, mesure.responsable
    client = client_pour(protege.titulaire)
    accueil = reverse("ensemble:espace", args=[protege.uuid])
    page = client.get(accueil).content.decode()
    assert "Une curatelle a été enregistrée" in page and curateur.nom_complet in page
    assert reverse("proches:proches", args=[protege.uuid]) + "#titre-protection" in page
    # the curator's own home says nothing of it; once answered, the protected person's neither
    assert (
        "Une curatelle a été enregistrée"
        not in client_pour(curateur.titulaire)
        .get(reverse("ensemble:espace", args=[curateur.uuid]))
        .content.decode()
    )
    decider = reverse("proches:protection_decider", args=[protege.uuid, "accepter"])
    client.post(decider, {"mesure": mesure.pk})
    assert "Une curatelle a été enregistrée" not in client.get(accueil).content.decode()
