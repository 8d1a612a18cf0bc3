"""Issue 17, points 1 and 5: the professional's workspace. A professional logging in lands on
``/pro/`` (a person who is both keeps a way to both); the home shows their patients (and why,
until when), their latest deposits with each one's state, and what awaits them; every URL of
the workspace answers without a server error, and every entry of its menu answers, for each
state of the account (awaiting verification, verified, suspended)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from dossier.models import Statut, empreinte_analyse
from espace_sante.acces import acces_professionnel
from messagerie.services import fil_ouvrir_professionnel
from professionnels.models import AccesProfessionnel, BrisDeGlace

from ..browser.conftest import code_totp
from ..conftest import client_pour
from ..dossier.resultats_cda import resultat
from ..factories import (
    MOT_DE_PASSE,
    SECRET_TOTP,
    EspaceFactory,
    ProfessionnelFactory,
    document,
)
from ..messagerie.outils import fichier

pytestmark = pytest.mark.django_db

ETATS = ("en_attente", "verifie", "suspendu")


def _connexion(utilisateur) -> Client:  # type: ignore[no-untyped-def]
    """A real login: e-mail and password, then the second factor."""
    client = Client()
    client.post(reverse("account_login"), {"login": utilisateur.email, "password": MOT_DE_PASSE})
    code = code_totp(SECRET_TOTP)
    # Ids come back after a test's rollback: a code an earlier test used for "the same" user
    # would be refused as already used.
    cache.delete(f"allauth.mfa.totp.used?user={utilisateur.pk}&code={code}")
    reponse = client.post(reverse("mfa_authenticate"), {"code": code})
    assert reponse.status_code == 302
    client.suivant = reponse["Location"]  # type: ignore[attr-defined]
    return client


def _menu(page: str) -> list[str]:
    """The addresses in the workspace's menu."""
    menu = re.search(r'aria-label="Menu professionnel">(.*?)</nav>', page, re.S)
    assert menu is not None
    return re.findall(r'href="([^"]+)"', menu.group(1))


# --- Landing after login -------------------------------------------------------------------


def test_a_professional_without_a_space_lands_on_their_workspace(pro_autorise) -> None:
    client = _connexion(pro_autorise.utilisateur)
    assert client.suivant == reverse("accueil")  # type: ignore[attr-defined]
    reponse = client.get(client.suivant)  # type: ignore[attr-defined]
    assert reponse.status_code == 302 and reponse["Location"] == reverse("professionnels:accueil")
    page = client.get(reponse["Location"]).content.decode()
    assert "Mes patients" in page and "Aucun espace santé" not in page
    assert "Mon espace santé" not in page  # no space to go back to


def test_someone_who_is_both_lands_on_their_space_and_reaches_the_workspace_from_it() -> None:
    pro = ProfessionnelFactory()
    espace = EspaceFactory(titulaire=pro.utilisateur)
    client = _connexion(pro.utilisateur)
    reponse = client.get(reverse("accueil"))
    assert reponse["Location"] == reverse("ensemble:espace", args=[espace.uuid])
    page = client.get(reponse["Location"]).content.decode()
    assert f'href="{reverse("professionnels:accueil")}"' in page  # the header's link
    travail = client.get(reverse("professionnels:accueil")).content.decode()
    assert reverse("profil:espaces") in _menu(travail)  # and back


def test_a_patient_lands_on_their_space_without_a_workspace_link(titulaire) -> None:
    client = _connexion(titulaire.titulaire)
    reponse = client.get(reverse("accueil"))
    assert reponse["Location"] == reverse("ensemble:espace", args=[titulaire.uuid])
    page = client.get(reponse["Location"]).content.decode()
    assert "Espace professionnel" not in page
    assert client.get(reverse("professionnels:accueil")).status_code == 404


# --- The home ------------------------------------------------------------------------------


def test_the_home_shows_patients_why_and_until_when_deposits_and_what_awaits() -> None:
    pro = ProfessionnelFactory()
    moi = str(pro.utilisateur.uuid)
    bientot = EspaceFactory(prenoms="Alice", nom_naissance="BIENTOT")
    AccesProfessionnel.objects.create(
        espace=bientot,
        professionnel=pro,
        autorise=True,
        expire_le=timezone.now() + timedelta(days=3),
    )
    tard = EspaceFactory(prenoms="Bruno", nom_naissance="TARD")
    AccesProfessionnel.objects.create(
        espace=tard, professionnel=pro, autorise=True, expire_le=timezone.now() + timedelta(days=60)
    )
    suivi = EspaceFactory(prenoms="Chloé", nom_naissance="SUIVIE")
    AccesProfessionnel.objects.create(espace=suivi, professionnel=pro, medecin_traitant=True)
    urgence = EspaceFactory(prenoms="Denis", nom_naissance="URGENT")
    BrisDeGlace.objects.create(
        espace=urgence,
        professionnel=pro,
        mode="bris_de_glace",
        motif="inconscient",
        fin=timezone.now() + timedelta(hours=2, minutes=30),
    )
    document(suivi, titre="Ordonnance acceptée", auteur_id=moi)
    document(
        suivi,
        titre="CR refusé",
        auteur_id=moi,
        statut=Statut.EN_ERREUR,
        blob=None,
        motif_erreur="Ce document concerne une autre personne (INS du patient différent).",
        traite_le=timezone.now(),
    )
    page = client_pour(pro.utilisateur).get(reverse("professionnels:accueil")).content.decode()
    for nom in ("BIENTOT", "TARD", "SUIVIE", "URGENT"):
        assert nom in page
    assert "Médecin traitant" in page
    assert re.search(r"Urgence : encore 2\xa0heures?, 2\d\xa0minutes", page), page
    # What awaits: the grant ending within 7 days (not the one in 60), the refused deposit.
    a_traiter = page[page.index('id="a-traiter"') : page.index('id="titre-patients"')]
    assert "Alice BIENTOT" in a_traiter and "TARD" not in a_traiter
    assert "1 de vos dépôts a été refusé" in a_traiter
    depots = page[page.index('id="titre-depots"') :]
    assert "Ordonnance acceptée" in depots and "Disponible" in depots
    assert "CR refusé" in depots and "Refusé" in depots


def test_an_account_awaiting_verification_is_told_so_and_offered_nothing_it_cannot_use() -> None:
    pro = ProfessionnelFactory(statut="en_attente")
    page = client_pour(pro.utilisateur).get(reverse("professionnels:accueil")).content.decode()
    assert "Vérification en attente" in page
    # Its patients (none yet) and its account settings: both answer for a pending account.
    menu = _menu(page)
    assert menu == [reverse("professionnels:accueil"), reverse("comptes:compte")]
    client = client_pour(pro.utilisateur)
    assert all(client.get(url).status_code == 200 for url in menu)


# --- Every URL, every state ----------------------------------------------------------------


def _motifs(resolveur: URLResolver) -> list[URLPattern]:
    """The patterns of a namespace, through its includes without a prefix (the messagerie's
    patient and professional halves)."""
    motifs: list[URLPattern] = []
    for motif in resolveur.url_patterns:
        if isinstance(motif, URLResolver):
            assert not str(motif.pattern), motif  # a prefixed include would change the paths
            motifs += _motifs(motif)
        else:
            motifs.append(motif)
    return motifs


def _motifs_pro() -> list[tuple[str, URLPattern]]:
    """Every URL of the workspace (``/pro/…``): the professionals' and the messagerie's."""
    motifs = []
    for espace in ("professionnels", "messagerie"):
        _prefixe, resolveur = get_resolver().namespace_dict[espace]
        motifs += [
            (f"{espace}:{motif.name}", motif)
            for motif in _motifs(resolveur)
            if motif.name and str(motif.pattern).startswith("pro/")
        ]
    return motifs


@pytest.fixture
def monde():  # type: ignore[no-untyped-def]
    """One professional per state, each authorised on a space holding their own deposit and
    a thread of theirs with an attachment (real ids for every parameter), and a lab result (its
    analysis' page)."""
    espace = EspaceFactory(prenoms="Eva", nom_naissance="PATIENTE")
    pros, documents, fils, pieces = {}, {}, {}, {}
    for etat in ETATS:
        pro = ProfessionnelFactory(utilisateur__nom=etat.upper())
        AccesProfessionnel.objects.create(espace=espace, professionnel=pro, autorise=True)
        documents[etat] = document(
            espace, titre=f"Dépôt {etat}", auteur_id=str(pro.utilisateur.uuid)
        )
        fils[etat] = fil_ouvrir_professionnel(
            acces=acces_professionnel(professionnel=pro, espace_uuid=espace.uuid),
            sujet=f"Fil {etat}",
            corps="Bonjour",
            fichiers=[fichier()],
        )
        pieces[etat] = fils[etat].messages.get().pieces.get()
        pro.statut = etat  # the thread opened while verified; the account's state now
        pro.save()
        pros[etat] = pro
    resultat(documents["verifie"], code="3016-3")
    return {
        "espace": espace,
        "pros": pros,
        "documents": documents,
        "fils": fils,
        "pieces": pieces,
        "analyse": empreinte_analyse(espace.pk, "3016-3"),
    }


def _url(nom: str, motif: URLPattern, monde, etat: str) -> str:  # type: ignore[no-untyped-def]
    valeurs = {
        "espace_uuid": monde["espace"].uuid,
        "document_uuid": monde["documents"][etat].uuid,
        "fil_uuid": monde["fils"][etat].uuid,
        "piece_uuid": monde["pieces"][etat].uuid,
        "analyse": monde["analyse"],
        "section": "mesures",
        "genre": "miniature",
        "rang": 0,
    }
    parametres = list(motif.pattern.converters)
    inconnus = set(parametres) - set(valeurs)
    assert not inconnus, f"{nom}: give this test a real value for {inconnus}"
    return reverse(nom, kwargs={p: valeurs[p] for p in parametres})


@pytest.mark.parametrize("etat", ETATS)
def test_every_url_of_the_workspace_answers_without_a_server_error(monde, etat: str) -> None:  # type: ignore[no-untyped-def]
    motifs = _motifs_pro()
    assert len(motifs) >= 15, motifs  # the walk really covers the workspace
    client = client_pour(monde["pros"][etat].utilisateur)
    client.raise_request_exception = False
    fautes = []
    pages = 0
    for nom, motif in motifs:
        url = _url(nom, motif, monde, etat)
        for methode in ("get", "post"):
            code = getattr(client, methode)(url).status_code
            if code >= 500:
                fautes.append(f"{etat} {methode.upper()} {url} ({nom}) → {code}")
            pages += methode == "get" and code == 200
    assert not fautes, "\n".join(fautes)
    if etat == "verifie":  # the pages open for a verified professional
        assert pages >= 10, pages


@pytest.mark.parametrize("etat", ETATS)
def test_every_menu_entry_answers_for_every_state_of_the_account(monde, etat: str) -> None:  # type: ignore[no-untyped-def]
    client = client_pour(monde["pros"][etat].utilisateur)
    accueil = client.get(reverse("professionnels:accueil"))
    assert accueil.status_code == 200
    liens = _menu(accueil.content.decode())
    assert reverse("professionnels:accueil") in liens
    for url in liens:
        assert client.get(url).status_code == 200, (etat, url)
    verifie = etat == "verifie"
    assert (reverse("professionnels:urgence") in liens) == verifie
    assert (reverse("professionnels:depots") in liens) == verifie
    assert (reverse("professionnels:recherche") in liens) == verifie
    assert (reverse("interop:logiciels") in liens) == verifie
    assert (reverse("messagerie:pro_boite") in liens) == verifie
    if not verifie:  # typed by hand: a page that says why, not a bare 404
        for nom in (
            "professionnels:urgence",
            "professionnels:depots",
            "professionnels:recherche",
            "messagerie:pro_boite",
        ):
            reponse = client.get(reverse(nom))
            assert reponse.status_code == 403
            texte = reponse.content.decode()
            assert ("vérifiée" in texte) if etat == "en_attente" else ("pas actif" in texte)
