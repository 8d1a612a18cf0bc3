"""A minor's secrets (issue 13, finding 5): a document a professional hid from the legal
representatives, or a profile entry they marked so, leaves no trace on the representatives'
side — not in the history (rows, tabs, counts), the searches, the counts, the summary, the
export or the e-mails — while the minor, who holds the space, sees all of it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dossier import services as dossier_services
from dossier.models import Document
from ensemble.historique import evenements_historique
from espace_sante.acces import espace_pour_acteur
from espace_sante.journal.models import Action, Evenement
from espace_sante.journal.services import evenement_enregistrer
from professionnels.models import AccesProfessionnel
from profil.models import Espace, Vaccination

from ..conftest import client_pour
from ..factories import ProfessionnelFactory, UtilisateurFactory

pytestmark = pytest.mark.django_db

TITRE_SECRET = "Consultation contraception"
TITRE_PUBLIC = "Bilan ORL"


@pytest.fixture
def mineur(enfant_represente: Espace) -> Espace:
    """The represented minor, who holds an account of their own."""
    enfant_represente.titulaire = UtilisateurFactory(prenom="Léo", email="leo@exemple.test")
    enfant_represente.save()
    return enfant_represente


@pytest.fixture
def medecin(mineur: Espace):  # type: ignore[no-untyped-def]
    pro = ProfessionnelFactory()
    AccesProfessionnel.objects.create(espace=mineur, professionnel=pro, autorise=True)
    return pro


def _deposer(client: Client, espace: Espace, titre: str, **champs: object) -> Document:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ..dossier import fabrique

    donnees: dict[str, object] = {
        "fichier": SimpleUploadedFile("cr.pdf", fabrique.pdf(1), "application/pdf"),
        "titre": titre,
        "date_acte": "2026-03-03",
        "type_code": "11488-4",
        **champs,
    }
    reponse = client.post(reverse("professionnels:deposer", args=[espace.uuid]), donnees)
    assert reponse.status_code == 302, reponse.content.decode()[:500]
    # Titles are encrypted at rest: compared once decrypted.
    (document,) = [d for d in Document.objects.all() if d.titre == titre]
    # The job accepts it (a professional's deposit is the space's once accepted).
    from dossier.ingestion import document_ingerer

    assert document_ingerer(document_id=document.pk) == "disponible"
    document.refresh_from_db()
    return document


def _le_professionnel_depose_et_lit(medecin, mineur: Espace) -> tuple[Document, Document]:  # type: ignore[no-untyped-def]
    client = client_pour(medecin.utilisateur)
    secret = _deposer(client, mineur, TITRE_SECRET, invisible_representants="on")
    public = _deposer(client, mineur, TITRE_PUBLIC)
    for doc in (secret, public):
        page = client.get(reverse("professionnels:document", args=[mineur.uuid, doc.uuid]))
        assert page.status_code == 200
    return secret, public


def _historique(client: Client, espace: Espace, onglet: str) -> str:
    reponse = client.get(reverse("ensemble:historique", args=[espace.uuid]), {"onglet": onglet})
    assert reponse.status_code == 200
    return reponse.content.decode()


def _phrases(html: str) -> list[str]:
    """What each row of the history says, tags removed."""
    lignes = re.findall(r'<tr class="evenement .*?</tr>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", ligne).split()) for ligne in lignes]


def _lignes(html: str, *, sur: str = "") -> int:
    return sum(1 for phrase in _phrases(html) if sur.lower() in phrase.lower())


def _compte(utilisateur, espace: Espace, *, professionnels: bool) -> int:  # type: ignore[no-untyped-def]
    """How many events of a tab are about a document or a profile entry, for this reader."""
    acces = espace_pour_acteur(utilisateur=utilisateur, espace_uuid=espace.uuid)
    evenements = evenements_historique(acces=acces, professionnels=professionnels)
    return evenements.exclude(objet_type="").exclude(action=Action.CONNEXION).count()


# --- The history ----------------------------------------------------------------------------------


def test_the_representative_s_history_says_nothing_of_a_professional_s_acts_on_a_secret_document(
    mineur: Espace, representant: Espace, medecin
) -> None:  # type: ignore[no-untyped-def]
    _le_professionnel_depose_et_lit(medecin, mineur)
    du_mineur = _historique(client_pour(mineur.titulaire), mineur, "professionnels")
    du_parent = _historique(client_pour(representant.titulaire), mineur, "professionnels")
    # The minor reads both deposits and both reads; the parent those of the other document only.
    assert _lignes(du_mineur) == 4 and _lignes(du_mineur, sur="un document") == 0
    assert _lignes(du_parent) == 2 and _lignes(du_parent, sur="un document") == 0
    assert _lignes(du_parent, sur="a ajouté «") == _lignes(du_parent, sur="a consulté") == 1
    # Nor do the counts behind the pages tell it.
    assert _compte(mineur.titulaire, mineur, professionnels=True) == 4
    assert _compte(representant.titulaire, mineur, professionnels=True) == 2


def test_the_minor_s_own_reads_of_their_secret_are_not_in_the_representative_s_tab(
    mineur: Espace, representant: Espace, medecin
) -> None:  # type: ignore[no-untyped-def]
    secret, _public = _le_professionnel_depose_et_lit(medecin, mineur)
    leo = client_pour(mineur.titulaire)
    assert leo.get(reverse("dossier:document", args=[mineur.uuid, secret.uuid])).status_code == 200
    assert leo.get(reverse("dossier:contenu", args=[mineur.uuid, secret.uuid])).status_code == 200
    parent = _historique(client_pour(representant.titulaire), mineur, "moi")
    assert _lignes(parent, sur="document") == 0
    assert _compte(representant.titulaire, mineur, professionnels=False) == 0
    assert _compte(mineur.titulaire, mineur, professionnels=False) == 2


def test_the_secret_stays_out_of_the_history_once_the_document_is_purged(
    mineur: Espace, representant: Espace, medecin
) -> None:  # type: ignore[no-untyped-def]
    secret, _public = _le_professionnel_depose_et_lit(medecin, mineur)
    acces = espace_pour_acteur(utilisateur=mineur.titulaire, espace_uuid=mineur.uuid)
    dossier_services.document_supprimer(acces=acces, document=secret)
    Document.objects.filter(pk=secret.pk).update(purge_le=timezone.now() - timedelta(days=1))
    assert dossier_services.documents_purger_echus() == 1
    assert not Document.objects.filter(pk=secret.pk).exists()
    assert Evenement.objects.filter(objet_id=str(secret.uuid)).count() == 4  # they survive it
    parent = client_pour(representant.titulaire)
    for onglet in ("moi", "professionnels"):
        page = _historique(parent, mineur, onglet)
        assert _lignes(page, sur="un document") == _lignes(page, sur="supprimé") == 0
        assert _lignes(page, sur="effacé") == 0
    assert _compte(representant.titulaire, mineur, professionnels=True) == 2
    assert _compte(representant.titulaire, mineur, professionnels=False) == 0


def test_events_written_before_the_mark_are_left_out_while_the_secret_exists(
    mineur: Espace, representant: Espace, medecin
) -> None:  # type: ignore[no-untyped-def]
    secret, _public = _le_professionnel_depose_et_lit(medecin, mineur)
    from espace_sante.acces import acteur_professionnel

    evenement_enregistrer(  # as the code before the mark wrote it: no details
        action=Action.DOCUMENT_TELECHARGE,
        acteur=acteur_professionnel(medecin),
        espace_uuid=mineur.uuid,
        objet_type="document",
        objet_id=str(secret.uuid),
    )
    assert _compte(mineur.titulaire, mineur, professionnels=True) == 5
    assert _compte(representant.titulaire, mineur, professionnels=True) == 2


def test_a_secret_profile_entry_leaves_no_trace_in_the_representative_s_history_even_deleted(
    mineur: Espace, representant: Espace, medecin
) -> None:  # type: ignore[no-untyped-def]
    client = client_pour(medecin.utilisateur)
    ajout = reverse("professionnels:profil_ajouter", args=[mineur.uuid, "vaccinations"])
    client.post(ajout, {"famille": "HPV", "date": "2026-01-10", "secret_mineur": "on"})
    (secret,) = [v for v in Vaccination.objects.all() if v.famille == "HPV"]
    assert secret.secret_mineur
    leo = client_pour(mineur.titulaire)
    supprimer = reverse("profil:profil_supprimer", args=[mineur.uuid, "vaccinations", secret.uuid])
    assert leo.post(supprimer).status_code == 302  # the minor deletes it: the entry is gone
    assert not Vaccination.objects.exists()
    parent = client_pour(representant.titulaire)
    assert _lignes(_historique(parent, mineur, "professionnels")) == 0
    assert _lignes(_historique(parent, mineur, "moi"), sur="profil") == 0
    assert _compte(representant.titulaire, mineur, professionnels=False) == 0
    assert _lignes(_historique(leo, mineur, "professionnels")) == 1
    assert _compte(mineur.titulaire, mineur, professionnels=False) == 1


def test_the_history_filtered_by_action_does_not_count_the_secret_either(
    mineur: Espace, representant: Espace, medecin
) -> None:  # type: ignore[no-untyped-def]
    _le_professionnel_depose_et_lit(medecin, mineur)
    parent = client_pour(representant.titulaire)
    page = parent.get(
        reverse("ensemble:historique", args=[mineur.uuid]),
        {"onglet": "professionnels", "action": "documents"},  # the theme of the filter
    ).content.decode()
    # The public document's deposit and read: not the secret's two lines.
    assert _lignes(page) == 2 and TITRE_SECRET not in page


# --- The other views: lists, searches, counts, e-mails ------------------------------------------


def test_the_representative_s_list_search_and_counts_ignore_the_secret(
    mineur: Espace, representant: Espace, medecin
) -> None:  # type: ignore[no-untyped-def]
    _le_professionnel_depose_et_lit(medecin, mineur)
    parent = client_pour(representant.titulaire)
    url = reverse("dossier:documents", args=[mineur.uuid])
    liste = parent.get(url).content.decode()
    assert TITRE_PUBLIC in liste and TITRE_SECRET not in liste
    recherche = parent.get(url, {"q": "contraception"}).content.decode()
    assert TITRE_SECRET not in recherche and TITRE_PUBLIC not in recherche
    from dossier.selectors import sommaire_documents

    acces = espace_pour_acteur(utilisateur=representant.titulaire, espace_uuid=mineur.uuid)
    assert sum(n for _categorie, n in sommaire_documents(acces=acces).comptes) == 1
    du_mineur = espace_pour_acteur(utilisateur=mineur.titulaire, espace_uuid=mineur.uuid)
    assert sum(n for _categorie, n in sommaire_documents(acces=du_mineur).comptes) == 2


def test_a_secret_deposit_e_mails_the_minor_and_not_the_representatives(
    mineur: Espace, representant: Espace, medecin, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    client = client_pour(medecin.utilisateur)
    with django_capture_on_commit_callbacks(execute=True):
        _deposer(client, mineur, TITRE_SECRET, invisible_representants="on")
    assert [m.to for m in mail.outbox] == [[mineur.titulaire.email]]
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        _deposer(client, mineur, TITRE_PUBLIC)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [mineur.titulaire.email, representant.titulaire.email]
    )
    assert all(TITRE_PUBLIC not in m.body and TITRE_SECRET not in m.body for m in mail.outbox)
