"""The second parent (issue 21, point 1): a child's representative invites the other one, who
accepts with the child's birth date; every refusal (docs/PROCHES.md, "The second parent")."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse
from django.utils import timezone

from espace_sante.comptes.models import Notification, TypeNotification
from espace_sante.journal.models import Action, Evenement
from proches import parents
from profil.models import InvitationRepresentant, Lien, Representation, Statut
from profil.representations import representations_terminer_majorite

from ..conftest import client_pour
from ..factories import EspaceFactory, RepresentationFactory, UtilisateurFactory, empreinte_jeton

pytestmark = pytest.mark.django_db

LIEN = re.compile(r"/proches/invitation-parent/([^/\s]+)/")
NAISSANCE = date(2015, 1, 10)  # the conftest's child (RepresentationFactory)
PLUS_VALABLE = "Cette invitation n&#x27;est plus valable : demandez-en une nouvelle."


@pytest.fixture(autouse=True)
def _compteurs_vides() -> None:
    cache.clear()  # the invitation form's rate limit counts per account, in the cache


@pytest.fixture(autouse=True)
def _apres_commit_tout_de_suite(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test's transaction never commits: the jobs queued on commit run at once."""
    monkeypatch.setattr(transaction, "on_commit", lambda fonction, *a, **k: fonction())


@pytest.fixture
def enfant(enfant_represente):  # type: ignore[no-untyped-def]
    return enfant_represente


@pytest.fixture
def client_parent(representant) -> Client:  # type: ignore[no-untyped-def]
    return client_pour(representant.titulaire)


@pytest.fixture
def dominique(autre_titulaire):  # type: ignore[no-untyped-def]
    """The other parent-to-be: an adult with their own active space."""
    return autre_titulaire


def _inviter(client: Client, enfant, courriel: str, lien: str = "parent"):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("proches:parent_inviter", args=[enfant.uuid]), {"courriel": courriel, "lien": lien}
    )


def _jeton() -> str:
    trouve = LIEN.search(mail.outbox[-1].body)
    assert trouve is not None
    return trouve.group(1)


def _page(jeton: str) -> str:
    return reverse("proches:invitation_parent", args=[jeton])


def _invitee(client_parent, enfant, dominique) -> str:  # type: ignore[no-untyped-def]
    reponse = _inviter(client_parent, enfant, dominique.titulaire.email)
    assert reponse.status_code == 302, reponse.content.decode()
    return _jeton()


def _accepter(client: Client, jeton: str, naissance: date = NAISSANCE):  # type: ignore[no-untyped-def]
    return client.post(_page(jeton), {"date_naissance": naissance.isoformat()})


def _actions(espace) -> list[str]:  # type: ignore[no-untyped-def]
    return list(
        Evenement.objects.filter(espace_uuid=espace.uuid)
        .order_by("rang")
        .values_list("action", flat=True)
    )


def _refus(reponse) -> str:  # type: ignore[no-untyped-def]
    assert reponse.status_code == 200
    return reponse.content.decode()


# --- Inviting -------------------------------------------------------------------------------


def test_the_proches_page_shows_the_form_to_invite_the_other_parent(client_parent, enfant) -> None:  # type: ignore[no-untyped-def]
    page = client_parent.get(reverse("proches:proches", args=[enfant.uuid])).content.decode()
    assert "Inviter l'autre représentant légal" in page
    assert reverse("proches:parent_inviter", args=[enfant.uuid]) in page


def test_a_representative_invites_and_the_mail_carries_a_working_link_whose_hash_alone_is_stored(
    client_parent, enfant, dominique
) -> None:  # type: ignore[no-untyped-def]
    jeton = _invitee(client_parent, enfant, dominique)
    invitation = InvitationRepresentant.objects.get(espace=enfant)
    assert invitation.jeton_empreinte == empreinte_jeton(jeton)
    assert jeton not in str(
        InvitationRepresentant.objects.filter(pk=invitation.pk).values().first()
    )
    assert mail.outbox[-1].to == [dominique.titulaire.email]
    assert "Camille MARTIN" in mail.outbox[-1].body
    assert enfant.prenoms not in mail.outbox[-1].body  # the child is named only on the page
    assert invitation.expire_le > timezone.now() + timedelta(days=6)
    page = client_pour(dominique.titulaire).get(_page(jeton))
    assert page.status_code == 200 and "Léo" in page.content.decode()


def test_the_invitation_is_journaled_without_the_address(client_parent, enfant, dominique) -> None:  # type: ignore[no-untyped-def]
    _invitee(client_parent, enfant, dominique)
    evenement = Evenement.objects.get(espace_uuid=enfant.uuid, action=Action.PROCHE_INVITE)
    assert dominique.titulaire.email not in str(evenement.details)
    assert evenement.details["invite"] == dominique.nom_complet
    assert evenement.acteur_type == "representant"


def test_the_pending_invitation_is_listed_and_the_form_hidden(
    client_parent, enfant, dominique
) -> None:  # type: ignore[no-untyped-def]
    _invitee(client_parent, enfant, dominique)
    page = client_parent.get(reverse("proches:proches", args=[enfant.uuid])).content.decode()
    assert dominique.titulaire.email in page and "Annuler l'invitation" in page
    assert 'id="form-parent"' not in page


def _refus_a_l_invitation(client, enfant, courriel, lien="parent") -> str:  # type: ignore[no-untyped-def]
    reponse = _inviter(client, enfant, courriel, lien)
    assert not InvitationRepresentant.objects.exists() and not mail.outbox
    return _refus(reponse)


def test_inviting_oneself_is_refused(client_parent, enfant, representant) -> None:  # type: ignore[no-untyped-def]
    page = _refus_a_l_invitation(client_parent, enfant, representant.titulaire.email.upper())
    assert "adresse de votre propre compte" in page


@pytest.mark.parametrize("cas", ["inconnue", "sans_espace", "espace_pas_active", "mineur"])
def test_an_address_without_an_activated_adult_space_is_refused_saying_to_activate_first(
    client_parent, enfant, cas
) -> None:  # type: ignore[no-untyped-def]
    if cas == "inconnue":
        courriel = "personne-inconnue@exemple.test"
    elif cas == "sans_espace":
        courriel = UtilisateurFactory().email
    elif cas == "espace_pas_active":
        courriel = EspaceFactory(statut=Statut.CREE).titulaire.email
    else:
        courriel = EspaceFactory(date_naissance=date(2014, 3, 3)).titulaire.email
    page = _refus_a_l_invitation(client_parent, enfant, courriel)
    assert "doit d&#x27;abord activer son propre Espace Santé" in page


def test_a_person_who_already_represents_the_child_is_refused(
    client_parent, enfant, dominique
) -> None:  # type: ignore[no-untyped-def]
    RepresentationFactory(espace=enfant, representant=dominique)
    page = _refus_a_l_invitation(client_parent, enfant, dominique.titulaire.email)
    assert "représente déjà cet enfant" in page


def test_a_child_with_two_representatives_already_is_refused_pointing_to_support(
    client_parent, enfant, dominique
) -> None:  # type: ignore[no-untyped-def]
    RepresentationFactory(espace=enfant)
    page = _refus_a_l_invitation(client_parent, enfant, dominique.titulaire.email)
    assert "déjà deux représentants légaux" in page and "contactez le support" in page
    accueil = client_parent.get(reverse("proches:proches", args=[enfant.uuid])).content.decode()
    assert 'id="parents-complet"' in accueil and 'id="form-parent"' not in accueil


def test_a_second_invitation_while_one_waits_is_refused(client_parent, enfant, dominique) -> None:  # type: ignore[no-untyped-def]
    _invitee(client_parent, enfant, dominique)
    autre = EspaceFactory()
    reponse = _inviter(client_parent, enfant, autre.titulaire.email)
    assert "Une invitation attend déjà" in _refus(reponse)
    assert InvitationRepresentant.objects.count() == 1


def test_inviting_from_a_non_minor_space_is_refused(titulaire, dominique) -> None:  # type: ignore[no-untyped-def]
    client = client_pour(titulaire.titulaire)
    page = _refus_a_l_invitation(client, titulaire, dominique.titulaire.email)
    assert "enfant mineur" in page
    accueil = client.get(reverse("proches:proches", args=[titulaire.uuid])).content.decode()
    assert 'id="form-parent"' not in accueil


def test_a_stranger_cannot_reach_the_childs_invitation_form(client_autre, enfant) -> None:  # type: ignore[no-untyped-def]
    assert (
        client_autre.get(reverse("proches:parent_inviter", args=[enfant.uuid])).status_code == 404
    )
    reponse = _inviter(client_autre, enfant, "x@exemple.test")
    assert reponse.status_code == 404 and not InvitationRepresentant.objects.exists()


def test_the_invitation_form_is_rate_limited(client_parent, enfant, settings) -> None:  # type: ignore[no-untyped-def]
    settings.PROCHES_INVITATION_RATE_LIMIT = "3/h"
    for _ in range(3):
        assert _inviter(client_parent, enfant, "inconnue@exemple.test").status_code == 200
    assert _inviter(client_parent, enfant, "inconnue@exemple.test").status_code == 429


def test_a_bad_link_choice_is_refused(client_parent, enfant, dominique) -> None:  # type: ignore[no-untyped-def]
    _refus_a_l_invitation(client_parent, enfant, dominique.titulaire.email, lien="oncle")


# --- Cancelling -----------------------------------------------------------------------------


def test_the_inviter_cancels_and_the_link_stops_working(client_parent, enfant, dominique) -> None:  # type: ignore[no-untyped-def]
    jeton = _invitee(client_parent, enfant, dominique)
    invitation = InvitationRepresentant.objects.get()
    url = reverse("proches:parent_invitation_annuler", args=[enfant.uuid])
    assert client_parent.get(url).status_code == 405
    assert client_parent.post(url, {"invitation": str(invitation.uuid)}).status_code == 302
    invitation.refresh_from_db()
    assert invitation.annulee_le is not None
    assert Action.PROCHE_INVITATION_ANNULEE in _actions(enfant)
    assert PLUS_VALABLE in _refus(client_pour(dominique.titulaire).get(_page(jeton)))


def test_a_stranger_cannot_cancel_the_invitation(client_parent, client_autre, enfant) -> None:  # type: ignore[no-untyped-def]
    autre = EspaceFactory()
    _invitee(client_parent, enfant, autre)
    invitation = InvitationRepresentant.objects.get()
    url = reverse("proches:parent_invitation_annuler", args=[enfant.uuid])
    assert client_autre.post(url, {"invitation": str(invitation.uuid)}).status_code == 404
    invitation.refresh_from_db()
    assert invitation.annulee_le is None


def test_another_childs_invitation_cannot_be_cancelled_from_ones_own_child(
    client_parent, enfant, dominique
) -> None:  # type: ignore[no-untyped-def]
    """The invitation's id is forged: one of another child's, posted to one's own child."""
    autre_parent = EspaceFactory()
    autre_enfant = RepresentationFactory(representant=autre_parent).espace
    _invitee(client_pour(autre_parent.titulaire), autre_enfant, dominique)
    invitation = InvitationRepresentant.objects.get()
    url = reverse("proches:parent_invitation_annuler", args=[enfant.uuid])
    for valeur in (str(invitation.uuid), "pas-un-identifiant", ""):
        reponse = client_parent.post(url, {"invitation": valeur}, follow=True)
        assert "n&#x27;attend plus de réponse" in reponse.content.decode()
    invitation.refresh_from_db()
    assert invitation.annulee_le is None
    assert Action.PROCHE_INVITATION_ANNULEE not in _actions(autre_enfant)


# --- Accepting ------------------------------------------------------------------------------


def test_the_invitee_accepts_with_the_birth_date_and_both_represent_the_child(
    client_parent, enfant, dominique, representant
) -> None:  # type: ignore[no-untyped-def]
    jeton = _invitee(client_parent, enfant, dominique)
    invitee = client_pour(dominique.titulaire)
    reponse = _accepter(invitee, jeton)
    assert reponse.status_code == 302 and reponse["Location"] == reverse("profil:espaces")
    representation = Representation.objects.get(espace=enfant, representant=dominique)
    assert representation.lien == Lien.PARENT and representation.fin is None
    invitation = InvitationRepresentant.objects.get()
    assert invitation.acceptee_le is not None and invitation.acceptee_par == dominique
    assert _actions(enfant)[-1] == Action.REPRESENTATION_AJOUTEE
    assert Notification.objects.filter(
        destinataire=representant.titulaire, type=TypeNotification.PROCHE_ACCEPTE
    ).exists()
    # The same rights: the child's documents, profile, proches.
    for nom in ("dossier:documents", "profil:profil_medical", "proches:proches"):
        assert invitee.get(reverse(nom, args=[enfant.uuid])).status_code == 200, nom
    assert "Léo" in invitee.get(reverse("profil:espaces")).content.decode()


def test_a_guardian_invitation_gives_a_guardian_link(client_parent, enfant, dominique) -> None:  # type: ignore[no-untyped-def]
    assert _inviter(client_parent, enfant, dominique.titulaire.email, "tuteur").status_code == 302
    _accepter(client_pour(dominique.titulaire), _jeton())
    assert Representation.objects.get(representant=dominique).lien == Lien.TUTEUR


def test_a_reused_link_gets_the_plain_refusal_and_changes_nothing(
    client_parent, enfant, dominique
) -> None:  # type: ignore[no-untyped-def]
    jeton = _invitee(client_parent, enfant, dominique)
    invitee = client_pour(dominique.titulaire)
    _accepter(invitee, jeton)
    avant = _actions(enfant)
    assert PLUS_VALABLE in _refus(_accepter(invitee, jeton))
    assert PLUS_VALABLE in _refus(invitee.get(_page(jeton)))
    assert Representation.objects.filter(espace=enfant).count() == 2
    assert _actions(enfant) == avant


def test_an_expired_or_unknown_link_gets_the_same_plain_refusal(
    client_parent, enfant, dominique
) -> None:  # type: ignore[no-untyped-def]
    jeton = _invitee(client_parent, enfant, dominique)
    InvitationRepresentant.objects.update(expire_le=timezone.now() - timedelta(seconds=1))
    invitee = client_pour(dominique.titulaire)
    for lien in (jeton, "inconnu-" + "x" * 30):
        page = _refus(invitee.get(_page(lien)))
        assert PLUS_VALABLE in page and "Léo" not in page and "MARTIN" not in page
        assert PLUS_VALABLE in _refus(_accepter(invitee, lien))
    assert not Representation.objects.filter(representant=dominique).exists()


def test_the_link_needs_a_signed_in_person_and_brings_them_back(
    client_parent, enfant, dominique
) -> None:  # type: ignore[no-untyped-def]
    jeton = _invitee(client_parent, enfant, dominique)
    reponse = Client().get(_page(jeton))
    assert reponse.status_code == 302 and "next=" in reponse["Location"]


def test_another_persons_account_sees_neither_inviter_nor_child(
    client_parent, enfant, dominique
) -> None:  # type: ignore[no-untyped-def]
    jeton = _invitee(client_parent, enfant, dominique)
    intrus = client_pour(EspaceFactory().titulaire)
    page = _refus(intrus.get(_page(jeton)))
    assert "Connectez-vous avec l&#x27;adresse qui a reçu l&#x27;invitation" in page
    assert "Léo" not in page and "MARTIN" not in page
    _refus(_accepter(intrus, jeton))
    assert Representation.objects.filter(espace=enfant).count() == 1
    assert InvitationRepresentant.objects.get().essais_echoues == 0


def test_an_invitee_without_an_active_space_is_told_to_activate_it(client_parent, enfant) -> None:  # type: ignore[no-untyped-def]
    invite = EspaceFactory()
    jeton = _invitee(client_parent, enfant, invite)
    invite.statut = Statut.CREE  # e.g. closed or not yet activated in between
    invite.save()
    page = _refus(client_pour(invite.titulaire).get(_page(jeton)))
    assert "Activez d&#x27;abord votre espace" in page and "Léo" not in page


def test_a_wrong_birth_date_is_counted_and_the_fifth_cancels_the_invitation(
    client_parent, enfant, dominique
) -> None:  # type: ignore[no-untyped-def]
    jeton = _invitee(client_parent, enfant, dominique)
    invitee = client_pour(dominique.titulaire)
    for essai in range(1, 5):
        page = _refus(_accepter(invitee, jeton, date(2015, 1, 11)))
        assert "ne correspond pas" in page
        assert InvitationRepresentant.objects.get().essais_echoues == essai
    page = _refus(_accepter(invitee, jeton, date(2015, 1, 11)))
    assert "l&#x27;invitation est annulée" in page
    invitation = InvitationRepresentant.objects.get()
    assert invitation.annulee_le is not None and invitation.essais_echoues == 5
    assert _actions(enfant).count(Action.PROCHE_INVITATION_ECHEC) == 5
    assert PLUS_VALABLE in _refus(_accepter(invitee, jeton))  # even with the right date now
    assert not Representation.objects.filter(representant=dominique).exists()


def test_an_unreadable_birth_date_is_not_counted(client_parent, enfant, dominique) -> None:  # type: ignore[no-untyped-def]
    jeton = _invitee(client_parent, enfant, dominique)
    reponse = client_pour(dominique.titulaire).post(_page(jeton), {"date_naissance": "hier"})
    assert reponse.status_code == 200
    assert InvitationRepresentant.objects.get().essais_echoues == 0


def test_acceptance_is_refused_when_two_representatives_appeared_meanwhile(
    client_parent, enfant, dominique
) -> None:  # type: ignore[no-untyped-def]
    jeton = _invitee(client_parent, enfant, dominique)
    RepresentationFactory(espace=enfant)
    page = _refus(_accepter(client_pour(dominique.titulaire), jeton))
    assert "déjà deux représentants légaux" in page
    assert not Representation.objects.filter(representant=dominique).exists()
    assert InvitationRepresentant.objects.get().acceptee_le is None


def test_the_job_sends_nothing_for_a_cancelled_invitation_and_a_resend_makes_a_new_token(
    client_parent, enfant, dominique
) -> None:  # type: ignore[no-untyped-def]
    premier = _invitee(client_parent, enfant, dominique)
    invitation = InvitationRepresentant.objects.get()
    assert parents.invitation_envoyer(invitation_id=invitation.pk)
    second = _jeton()
    assert second != premier
    invitation.refresh_from_db()
    assert invitation.jeton_empreinte == empreinte_jeton(second)
    InvitationRepresentant.objects.update(annulee_le=timezone.now())
    envoyes = len(mail.outbox)
    assert not parents.invitation_envoyer(invitation_id=invitation.pk)
    assert len(mail.outbox) == envoyes


# --- Afterwards -----------------------------------------------------------------------------


def test_majority_ends_both_representations(client_parent, enfant, dominique) -> None:  # type: ignore[no-untyped-def]
    _accepter(client_pour(dominique.titulaire), _invitee(client_parent, enfant, dominique))
    assert Representation.objects.filter(espace=enfant, fin__isnull=True).count() == 2
    assert representations_terminer_majorite(aujourd_hui=date(2033, 1, 10)) == 2
    assert not Representation.objects.filter(espace=enfant, fin__isnull=True).exists()
    assert set(Representation.objects.values_list("motif_fin", flat=True)) == {"majorité"}


def test_no_portal_page_lets_a_representative_remove_the_other(
    client_parent, enfant, dominique
) -> None:  # type: ignore[no-untyped-def]
    _accepter(client_pour(dominique.titulaire), _invitee(client_parent, enfant, dominique))
    page = client_parent.get(reverse("proches:proches", args=[enfant.uuid])).content.decode()
    assert dominique.nom_complet in page
    assert "Retirer" not in page and "Mettre fin" not in page
    for nom in ("parent_retirer", "representant_retirer", "parent_terminer"):
        with pytest.raises(NoReverseMatch):
            reverse(f"proches:{nom}", args=[enfant.uuid, 1])
    # The portal's only addresses about representatives: invite, cancel, accept (the admin aside).
    noms = {n for n in _noms_d_urls(get_resolver()) if not n.startswith("admin:")}
    assert {n for n in noms if "parent" in n or "represent" in n} == {
        "proches:parent_inviter",
        "proches:parent_invitation_annuler",
        "proches:invitation_parent",
    }


def _noms_d_urls(resolveur, espace: str = ""):  # type: ignore[no-untyped-def]
    for motif in resolveur.url_patterns:
        if isinstance(motif, URLResolver):
            yield from _noms_d_urls(
                motif, f"{espace}{motif.namespace}:" if motif.namespace else espace
            )
        elif motif.name:
            yield f"{espace}{motif.name}"


def test_acceptance_is_refused_when_the_child_came_of_age_meanwhile(
    client_parent, enfant, dominique
) -> None:  # type: ignore[no-untyped-def]
    jeton = _invitee(client_parent, enfant, dominique)
    enfant.date_naissance = date(2000, 1, 10)
    enfant.save()
    page = _refus(_accepter(client_pour(dominique.titulaire), jeton, date(2000, 1, 10)))
    assert "mineur" in page
    assert not Representation.objects.filter(representant=dominique).exists()
    assert InvitationRepresentant.objects.get().acceptee_le is None


def test_the_acceptance_is_journaled_as_the_new_representatives(
    client_parent, enfant, dominique
) -> None:  # type: ignore[no-untyped-def]
    _accepter(client_pour(dominique.titulaire), _invitee(client_parent, enfant, dominique))
    evenement = Evenement.objects.get(espace_uuid=enfant.uuid, action=Action.REPRESENTATION_AJOUTEE)
    assert evenement.acteur_type == "representant"
    assert evenement.details["representant"] == dominique.nom_complet
    assert dominique.titulaire.email not in str(evenement.details)
