"""Carers (aidants): the holder invites, the carer accepts, either side ends it, the
certificate; every refusal (docs/PROCHES.md, "Carers")."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from espace_sante.comptes.models import Notification, TypeNotification
from espace_sante.journal.models import Action, Evenement
from espace_sante.journal.templatetags.formulations import date_en_mots
from proches import aidants
from profil.models import Delegation, Perimetre, Statut

from ..conftest import client_pour
from ..factories import (
    DelegationFactory,
    EspaceFactory,
    MesureProtectionFactory,
    RepresentationFactory,
    UtilisateurFactory,
    document,
    empreinte_jeton,
)

pytestmark = pytest.mark.django_db

LIEN = re.compile(r"/proches/invitation-aidant/([^/\s]+)/")


@pytest.fixture(autouse=True)
def _compteurs_vides() -> None:
    cache.clear()  # the invitations' rate limit counts per account, in the cache


@pytest.fixture(autouse=True)
def _apres_commit_tout_de_suite(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test's transaction never commits: the jobs queued on commit run at once."""
    monkeypatch.setattr(transaction, "on_commit", lambda fonction, *a, **k: fonction())


@pytest.fixture
def marie(db):  # type: ignore[no-untyped-def]
    """The carer-to-be: an adult with her own active space."""
    return EspaceFactory(
        prenoms="Marie",
        nom_naissance="DUPONT",
        sexe="F",
        titulaire=UtilisateurFactory(prenom="Marie", nom="DUPONT"),
    )


def _inviter(client: Client, espace, **champs):  # type: ignore[no-untyped-def]
    donnees = {"courriel": "", "perimetre": "documents", "mode": "lecture", "fin": ""}
    donnees.update(champs)
    return client.post(reverse("proches:aidant_inviter", args=[espace.uuid]), donnees)


def _jeton() -> str:
    trouve = LIEN.search(mail.outbox[-1].body)
    assert trouve is not None
    return trouve.group(1)


def _invitation(jeton: str) -> str:
    return reverse("proches:invitation_aidant", args=[jeton])


def _invitee(client_titulaire, titulaire, marie, **champs) -> str:  # type: ignore[no-untyped-def]
    reponse = _inviter(client_titulaire, titulaire, courriel=marie.titulaire.email, **champs)
    assert reponse.status_code == 302, reponse.content.decode()
    return _jeton()


def _acceptee(client_titulaire, titulaire, marie, **champs) -> Delegation:  # type: ignore[no-untyped-def]
    jeton = _invitee(client_titulaire, titulaire, marie, **champs)
    reponse = client_pour(marie.titulaire).post(_invitation(jeton), {"reponse": "accepter"})
    assert reponse.status_code == 302
    return Delegation.objects.get(espace=titulaire, aidant=marie, revoquee_le__isnull=True)


def _actions(espace) -> list[str]:  # type: ignore[no-untyped-def]
    return list(
        Evenement.objects.filter(espace_uuid=espace.uuid)
        .order_by("rang")
        .values_list("action", flat=True)
    )


# --- Inviting -------------------------------------------------------------------------------


def test_the_holder_invites_and_the_mail_carries_a_link_whose_hash_alone_is_stored(
    client_titulaire, titulaire, marie
) -> None:  # type: ignore[no-untyped-def]
    jeton = _invitee(client_titulaire, titulaire, marie)
    delegation = Delegation.objects.get(espace=titulaire)
    assert delegation.aidant is None and delegation.acceptee_le is None
    assert delegation.jeton_empreinte == empreinte_jeton(jeton)
    assert jeton not in str(Delegation.objects.filter(pk=delegation.pk).values().first())
    assert mail.outbox[-1].to == [marie.titulaire.email]
    assert "Camille MARTIN" in mail.outbox[-1].body
    assert delegation.invitation_expire_le > timezone.now() + timedelta(days=6, hours=23)
    assert Action.PROCHE_INVITE in _actions(titulaire)
    details = str(Evenement.objects.filter(action=Action.PROCHE_INVITE).values("details").get())
    assert marie.titulaire.email not in details and jeton not in details
    page = client_titulaire.get(reverse("proches:proches", args=[titulaire.uuid])).content.decode()
    assert "Invitations en attente de réponse" in page and marie.titulaire.email in page


def test_the_hub_explains_each_perimeter_in_plain_words(client_titulaire, titulaire) -> None:  # type: ignore[no-untyped-def]
    page = client_titulaire.get(reverse("proches:proches", args=[titulaire.uuid])).content.decode()
    for texte in (
        "Tout l&#x27;espace",
        "Les documents seulement",
        "Le profil médical seulement",
        "L&#x27;agenda seulement",
        "Consulter seulement",
        "y mette fin",
    ):
        assert texte in page


@pytest.mark.parametrize(
    "cas",
    ["soi", "inconnue", "non_activee", "passee"],
)
def test_an_invitation_is_refused_with_a_reason_and_nothing_written(
    client_titulaire, titulaire, marie, cas
) -> None:  # type: ignore[no-untyped-def]
    champs = {"courriel": marie.titulaire.email}
    attendu = ""
    if cas == "soi":
        champs["courriel"] = titulaire.titulaire.email.upper()
        attendu = "votre propre aidant"
    elif cas == "inconnue":
        champs["courriel"] = "personne.inconnue@exemple.test"
        attendu = "activer d&#x27;abord son propre espace"
    elif cas == "non_activee":
        marie.statut = Statut.CREE
        marie.save()
        attendu = "activer d&#x27;abord son propre espace"
    else:
        champs["fin"] = (timezone.localdate() - timedelta(days=1)).isoformat()
        attendu = "Cette date est passée"
    reponse = _inviter(client_titulaire, titulaire, **champs)
    assert reponse.status_code == 200
    assert attendu in reponse.content.decode()
    assert not Delegation.objects.exists() and not mail.outbox


def test_a_person_already_carer_is_refused(client_titulaire, titulaire, marie) -> None:  # type: ignore[no-untyped-def]
    DelegationFactory(espace=titulaire, aidant=marie)
    reponse = _inviter(client_titulaire, titulaire, courriel=marie.titulaire.email)
    assert "déjà votre aidant" in reponse.content.decode()
    assert Delegation.objects.count() == 1


def test_a_pending_invitation_is_refused_with_an_offer_to_resend_it(
    client_titulaire, titulaire, marie
) -> None:  # type: ignore[no-untyped-def]
    premier = _invitee(client_titulaire, titulaire, marie)
    reponse = _inviter(client_titulaire, titulaire, courriel=marie.titulaire.email.upper())
    assert "Vous pouvez la renvoyer" in reponse.content.decode()
    assert Delegation.objects.count() == 1
    delegation = Delegation.objects.get()
    reponse = client_titulaire.post(
        reverse("proches:aidant_renvoyer", args=[titulaire.uuid, delegation.uuid])
    )
    assert reponse.status_code == 302
    second = _jeton()
    assert second != premier
    delegation.refresh_from_db()
    assert delegation.jeton_empreinte == empreinte_jeton(second)
    carer = client_pour(marie.titulaire)
    assert carer.get(_invitation(premier)).status_code == 404  # the old link is dead
    assert carer.get(_invitation(second)).status_code == 200


def test_no_more_than_five_carers_or_invitations(client_titulaire, titulaire, marie) -> None:  # type: ignore[no-untyped-def]
    for _rang in range(3):
        DelegationFactory(espace=titulaire)
    for rang in range(2):
        DelegationFactory(
            espace=titulaire, aidant=None, courriel=f"p{rang}@exemple.test", acceptee_le=None
        )
    reponse = _inviter(client_titulaire, titulaire, courriel=marie.titulaire.email)
    assert "déjà 5 aidants ou invitations" in reponse.content.decode()
    assert Delegation.objects.count() == 5


def test_invitations_are_rate_limited(client_titulaire, titulaire) -> None:  # type: ignore[no-untyped-def]
    for rang in range(10):
        carer = EspaceFactory()
        assert (
            _inviter(client_titulaire, titulaire, courriel=carer.titulaire.email).status_code == 302
        )
        Delegation.objects.filter(espace=titulaire).delete()  # room under the five
        del rang
    carer = EspaceFactory()
    reponse = _inviter(client_titulaire, titulaire, courriel=carer.titulaire.email)
    assert "beaucoup d&#x27;invitations" in reponse.content.decode()
    assert not Delegation.objects.exists()


def test_a_representative_a_tutor_and_a_carer_never_invite(
    client_titulaire, titulaire, marie
) -> None:  # type: ignore[no-untyped-def]
    enfant = RepresentationFactory(representant=titulaire).espace
    assert _inviter(client_titulaire, enfant, courriel=marie.titulaire.email).status_code == 404
    mesure = MesureProtectionFactory(responsable=titulaire)
    assert (
        _inviter(client_titulaire, mesure.espace, courriel=marie.titulaire.email).status_code == 404
    )
    d = DelegationFactory(aidant=titulaire, perimetre=Perimetre.TOUT, ecriture=True)
    assert _inviter(client_titulaire, d.espace, courriel=marie.titulaire.email).status_code == 404
    assert client_titulaire.get(reverse("proches:proches", args=[d.espace.uuid])).status_code == 404
    assert Delegation.objects.count() == 1


# --- Answering ------------------------------------------------------------------------------


def test_the_invitation_page_says_who_what_how_and_until_when(
    client_titulaire, titulaire, marie
) -> None:  # type: ignore[no-untyped-def]
    fin = timezone.localdate() + timedelta(days=90)
    jeton = _invitee(client_titulaire, titulaire, marie, fin=fin.isoformat())
    page = client_pour(marie.titulaire).get(_invitation(jeton)).content.decode()
    assert "Camille MARTIN vous invite" in page
    assert "Les documents seulement" in page and "Consulter seulement" in page
    assert f"Jusqu'au {date_en_mots(fin)}." in page


def test_accepting_opens_the_space_journals_and_tells_the_holder(
    client_titulaire, titulaire, marie
) -> None:  # type: ignore[no-untyped-def]
    d = _acceptee(client_titulaire, titulaire, marie)
    assert d.acceptee_le is not None
    carer = client_pour(marie.titulaire)
    assert carer.get(reverse("dossier:documents", args=[titulaire.uuid])).status_code == 200
    accepte = Evenement.objects.get(action=Action.DELEGATION_ACCEPTEE)
    assert accepte.espace_uuid == titulaire.uuid and accepte.acteur_nom == "Marie DUPONT, aidante"
    assert Notification.objects.filter(
        destinataire=titulaire.titulaire, type=TypeNotification.PROCHE_ACCEPTE
    ).exists()


def test_declining_ends_the_invitation(client_titulaire, titulaire, marie) -> None:  # type: ignore[no-untyped-def]
    jeton = _invitee(client_titulaire, titulaire, marie)
    carer = client_pour(marie.titulaire)
    assert carer.post(_invitation(jeton), {"reponse": "decliner"}).status_code == 302
    d = Delegation.objects.get()
    assert d.revoquee_le is not None and d.aidant is None
    assert carer.get(_invitation(jeton)).status_code == 404


@pytest.mark.parametrize("cas", ["inconnu", "expire", "reutilise", "annule"])
def test_a_token_that_opens_nothing_gets_one_plain_refusal(
    client_titulaire, titulaire, marie, cas
) -> None:  # type: ignore[no-untyped-def]
    jeton = _invitee(client_titulaire, titulaire, marie)
    carer = client_pour(marie.titulaire)
    d = Delegation.objects.get()
    if cas == "inconnu":
        jeton = "x" * 43
    elif cas == "expire":
        Delegation.objects.filter(pk=d.pk).update(
            invitation_expire_le=timezone.now() - timedelta(seconds=1)
        )
    elif cas == "reutilise":
        assert carer.post(_invitation(jeton), {"reponse": "accepter"}).status_code == 302
    else:
        client_titulaire.post(reverse("proches:aidant_terminer", args=[titulaire.uuid, d.uuid]))
    avant = list(Delegation.objects.values())
    for reponse in (
        carer.get(_invitation(jeton)),
        carer.post(_invitation(jeton), {"reponse": "accepter"}),
    ):
        assert reponse.status_code == 404
        assert "Cette invitation n&#x27;est plus valable" in reponse.content.decode()
    assert list(Delegation.objects.values()) == avant


def test_another_account_or_one_without_an_active_space_cannot_accept(
    client_titulaire, titulaire, marie, autre_titulaire
) -> None:  # type: ignore[no-untyped-def]
    jeton = _invitee(client_titulaire, titulaire, marie)
    reponse = client_pour(autre_titulaire.titulaire).post(
        _invitation(jeton), {"reponse": "accepter"}
    )
    assert reponse.status_code == 404 and "une autre adresse" in reponse.content.decode()
    assert client_titulaire.get(_invitation(jeton)).status_code == 404  # the holder either
    marie.statut = Statut.CLOTURE
    marie.save()
    reponse = client_pour(marie.titulaire).post(_invitation(jeton), {"reponse": "accepter"})
    assert reponse.status_code == 404 and "Activez d&#x27;abord" in reponse.content.decode()
    assert Delegation.objects.get().acceptee_le is None


def test_the_invitation_page_needs_a_login(client_titulaire, titulaire, marie) -> None:  # type: ignore[no-untyped-def]
    jeton = _invitee(client_titulaire, titulaire, marie)
    reponse = Client().get(_invitation(jeton))
    assert reponse.status_code == 302 and jeton not in Delegation.objects.get().jeton_empreinte
    assert not Delegation.objects.filter(acceptee_le__isnull=False).exists()


# --- Ending ---------------------------------------------------------------------------------


def test_the_holder_revokes_with_immediate_effect_and_the_carer_is_told(
    client_titulaire, titulaire, marie
) -> None:  # type: ignore[no-untyped-def]
    d = _acceptee(client_titulaire, titulaire, marie)
    carer = client_pour(marie.titulaire)
    reponse = client_titulaire.post(
        reverse("proches:aidant_terminer", args=[titulaire.uuid, d.uuid])
    )
    assert reponse.status_code == 302
    assert carer.get(reverse("dossier:documents", args=[titulaire.uuid])).status_code == 404
    revoque = Evenement.objects.get(action=Action.DELEGATION_REVOQUEE)
    assert (
        revoque.details["par"] == "le titulaire"
        and revoque.acteur_nom == titulaire.titulaire.nom_affiche
    )
    assert Notification.objects.filter(
        destinataire=marie.titulaire, type=TypeNotification.DELEGATION_TERMINEE
    ).exists()


def test_the_carer_stops_from_their_own_proches_page(client_titulaire, titulaire, marie) -> None:  # type: ignore[no-untyped-def]
    d = _acceptee(client_titulaire, titulaire, marie)
    carer = client_pour(marie.titulaire)
    page = carer.get(reverse("proches:proches", args=[marie.uuid])).content.decode()
    assert "Je suis aidant de…" in page and "Camille MARTIN" in page
    assert "Ne plus être aidant" in page
    reponse = carer.post(reverse("proches:aidant_terminer", args=[marie.uuid, d.uuid]))
    assert reponse.status_code == 302
    assert carer.get(reverse("dossier:documents", args=[titulaire.uuid])).status_code == 404
    revoque = Evenement.objects.get(action=Action.DELEGATION_REVOQUEE)
    assert revoque.espace_uuid == titulaire.uuid
    assert revoque.details["par"] == "l'aidant" and revoque.acteur_nom == "Marie DUPONT, aidante"
    assert Notification.objects.filter(
        destinataire=titulaire.titulaire, type=TypeNotification.DELEGATION_TERMINEE
    ).exists()


def test_the_holder_cancels_a_pending_invitation(client_titulaire, titulaire, marie) -> None:  # type: ignore[no-untyped-def]
    jeton = _invitee(client_titulaire, titulaire, marie)
    d = Delegation.objects.get()
    client_titulaire.post(reverse("proches:aidant_terminer", args=[titulaire.uuid, d.uuid]))
    d.refresh_from_db()
    assert d.revoquee_le is not None
    assert Action.PROCHE_INVITATION_ANNULEE in _actions(titulaire)
    assert client_pour(marie.titulaire).get(_invitation(jeton)).status_code == 404


def test_nobody_else_ends_a_delegation(client_titulaire, titulaire, marie, autre_titulaire) -> None:  # type: ignore[no-untyped-def]
    d = DelegationFactory(espace=titulaire, aidant=marie)
    autre = client_pour(autre_titulaire.titulaire)
    for espace in (titulaire, marie, autre_titulaire):
        url = reverse("proches:aidant_terminer", args=[espace.uuid, d.uuid])
        assert autre.post(url).status_code == 404
    d.refresh_from_db()
    assert d.revoquee_le is None


def test_a_delegation_past_its_end_date_opens_nothing_and_leaves_the_lists(
    client_titulaire, titulaire, marie
) -> None:  # type: ignore[no-untyped-def]
    d = DelegationFactory(
        espace=titulaire, aidant=marie, fin=timezone.localdate() - timedelta(days=1)
    )
    carer = client_pour(marie.titulaire)
    assert carer.get(reverse("ensemble:espace", args=[titulaire.uuid])).status_code == 404
    assert (
        "Marie DUPONT"
        not in client_titulaire.get(
            reverse("proches:proches", args=[titulaire.uuid])
        ).content.decode()
    )
    assert (
        carer.get(reverse("proches:aidant_attestation", args=[marie.uuid, d.uuid])).status_code
        == 404
    )
    # the same person can be invited again, and accept
    _acceptee(client_titulaire, titulaire, marie)


# --- The certificate ------------------------------------------------------------------------


def _texte_pdf(contenu: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(contenu)).pages)


def test_both_parties_download_the_certificate_and_it_says_who_what_and_when(
    client_titulaire, titulaire, marie
) -> None:  # type: ignore[no-untyped-def]
    fin = timezone.localdate() + timedelta(days=30)
    d = _acceptee(
        client_titulaire, titulaire, marie, perimetre="profil", mode="ecriture", fin=fin.isoformat()
    )
    carer = client_pour(marie.titulaire)
    for client, espace in ((client_titulaire, titulaire), (carer, marie)):
        reponse = client.get(reverse("proches:aidant_attestation", args=[espace.uuid, d.uuid]))
        assert reponse.status_code == 200 and reponse["Content-Type"] == "application/pdf"
        texte = _texte_pdf(reponse.content)
        assert "Camille MARTIN" in texte and "Marie DUPONT" in texte
        assert "Le profil médical seulement" in texte
        assert "Consulter, ajouter et modifier" in texte
        assert f"{timezone.localtime(d.acceptee_le):%d/%m/%Y}" in texte
        assert f"{fin:%d/%m/%Y}" in texte
        assert str(d.uuid) in texte
    assert _actions(titulaire).count(Action.DELEGATION_ATTESTATION) == 2


def test_only_the_two_parties_get_the_certificate(
    client_titulaire, titulaire, marie, autre_titulaire
) -> None:  # type: ignore[no-untyped-def]
    d = DelegationFactory(espace=titulaire, aidant=marie)
    autre = client_pour(autre_titulaire.titulaire)
    for espace in (titulaire, marie, autre_titulaire):
        url = reverse("proches:aidant_attestation", args=[espace.uuid, d.uuid])
        assert autre.get(url).status_code == 404
    # the carer inside the holder's space (a carer never manages it), and a tutor of the holder
    carer = client_pour(marie.titulaire)
    assert (
        carer.get(reverse("proches:aidant_attestation", args=[titulaire.uuid, d.uuid])).status_code
        == 404
    )
    tuteur = MesureProtectionFactory(espace=titulaire).responsable
    url = reverse("proches:aidant_attestation", args=[titulaire.uuid, d.uuid])
    assert client_pour(tuteur.titulaire).get(url).status_code == 404
    assert Action.DELEGATION_ATTESTATION not in _actions(titulaire)


# --- The carer in the holder's space --------------------------------------------------------

PAGES = {
    "documents": "dossier:documents",
    "profil": "profil:profil_medical",
    "agenda": "agenda:liste",
    "messagerie": "messagerie:boite",
    "historique": "ensemble:historique",
}
OUVERTES = {
    Perimetre.TOUT: {"documents", "profil", "agenda", "messagerie", "historique"},
    Perimetre.DOCUMENTS: {"documents"},
    Perimetre.PROFIL: {"profil"},
    Perimetre.AGENDA: {"agenda"},
}


@pytest.mark.parametrize("perimetre", list(OUVERTES))
def test_each_perimeter_opens_its_pages_and_no_other(titulaire, marie, perimetre) -> None:  # type: ignore[no-untyped-def]
    DelegationFactory(espace=titulaire, aidant=marie, perimetre=perimetre)
    carer = client_pour(marie.titulaire)
    assert carer.get(reverse("ensemble:espace", args=[titulaire.uuid])).status_code == 200
    for nom, url in PAGES.items():
        attendu = 200 if nom in OUVERTES[perimetre] else 404
        assert carer.get(reverse(url, args=[titulaire.uuid])).status_code == attendu, nom
    for gestion in ("proches:proches", "professionnels:liste", "profil:parametres"):
        assert carer.get(reverse(gestion, args=[titulaire.uuid])).status_code == 404


ECRITURES = {
    Perimetre.DOCUMENTS: ("dossier:deposer", []),
    Perimetre.PROFIL: ("profil:profil_ajouter", ["allergies"]),
    Perimetre.AGENDA: ("agenda:ajouter", []),
}


@pytest.mark.parametrize("perimetre", list(ECRITURES))
def test_a_read_only_carer_gets_no_form_and_a_writing_one_does(titulaire, marie, perimetre) -> None:  # type: ignore[no-untyped-def]
    d = DelegationFactory(espace=titulaire, aidant=marie, perimetre=perimetre)
    carer = client_pour(marie.titulaire)
    nom, suite = ECRITURES[perimetre]
    url = reverse(nom, args=[titulaire.uuid, *suite])
    # a read-only carer is not even shown the form (its sending would be refused)
    assert carer.get(url).status_code == 404
    assert carer.post(url, {}).status_code == 404
    Delegation.objects.filter(pk=d.pk).update(ecriture=True)
    assert carer.get(url).status_code == 200
    assert carer.post(url, {}).status_code in (200, 400)  # the form's errors: in scope
    for autre, (nom_autre, suite_autre) in ECRITURES.items():
        if autre != perimetre:
            url_autre = reverse(nom_autre, args=[titulaire.uuid, *suite_autre])
            assert carer.post(url_autre, {}).status_code == 404


def test_the_journal_names_the_carer_with_her_quality(titulaire, marie) -> None:  # type: ignore[no-untyped-def]
    DelegationFactory(espace=titulaire, aidant=marie, perimetre=Perimetre.DOCUMENTS)
    doc = document(titulaire)
    url = reverse("dossier:document", args=[titulaire.uuid, doc.uuid])
    assert client_pour(marie.titulaire).get(url).status_code == 200
    evenement = Evenement.objects.get(espace_uuid=titulaire.uuid, action=Action.DOCUMENT_CONSULTE)
    assert evenement.acteur_nom == "Marie DUPONT, aidante" and evenement.acteur_type == "aidant"


def test_the_switcher_and_the_banner_read_well_for_a_carer(titulaire, marie) -> None:  # type: ignore[no-untyped-def]
    DelegationFactory(espace=titulaire, aidant=marie, perimetre=Perimetre.DOCUMENTS)
    carer = client_pour(marie.titulaire)
    chez_elle = carer.get(reverse("ensemble:espace", args=[marie.uuid])).content.decode()
    assert "Espace de Camille MARTIN (vous êtes son aidante)" in chez_elle
    chez_camille = carer.get(reverse("ensemble:espace", args=[titulaire.uuid])).content.decode()
    assert "Vous agissez pour Camille MARTIN, en tant qu’aidante." in chez_camille
    assert "Consultation seulement." in chez_camille


def test_the_invitation_job_does_nothing_for_an_answered_invitation(titulaire, marie) -> None:  # type: ignore[no-untyped-def]
    d = DelegationFactory(espace=titulaire, aidant=marie)
    avant = d.jeton_empreinte
    assert aidants.invitation_envoyer(delegation_id=d.pk) is False
    d.refresh_from_db()
    assert d.jeton_empreinte == avant and not mail.outbox


def test_the_notifications_say_what_happened(client_titulaire, titulaire, marie) -> None:  # type: ignore[no-untyped-def]
    d = _acceptee(client_titulaire, titulaire, marie)
    (accepte,) = [m for m in mail.outbox if m.to == [titulaire.titulaire.email]]
    assert "a accepté" in accepte.body
    client_titulaire.post(reverse("proches:aidant_terminer", args=[titulaire.uuid, d.uuid]))
    (fin,) = [m for m in mail.outbox if m.to == [marie.titulaire.email] and "pris fin" in m.body]
    assert "aidant" in fin.body and "représentation légale" not in fin.body


@pytest.mark.parametrize("perimetre", list(OUVERTES))
def test_the_home_shows_a_carer_only_her_perimeter_and_every_link_opens(
    titulaire, marie, perimetre
) -> None:  # type: ignore[no-untyped-def]
    DelegationFactory(espace=titulaire, aidant=marie, perimetre=perimetre)
    carer = client_pour(marie.titulaire)
    page = carer.get(reverse("ensemble:espace", args=[titulaire.uuid])).content.decode()
    cartes = {
        "documents": f'id="nouveaux-documents-{titulaire.uuid}"',
        "messagerie": f'id="messages-{titulaire.uuid}"',
        "agenda": f'id="rendez-vous-{titulaire.uuid}"',
    }
    for part, carte in cartes.items():
        assert (carte in page) is (part in OUVERTES[perimetre]), part
    assert ("Vaccination" in page) is (perimetre in (Perimetre.TOUT, Perimetre.PROFIL))
    liens = set(re.findall(r'href="(/espace/[^"#]+)', page))
    assert liens
    for lien in liens:
        assert carer.get(lien).status_code == 200, lien
