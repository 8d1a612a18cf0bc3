"""The professional's messagerie pages (issue 18, points 2, 3, 5 and 6): inbox, compose,
thread, attachments; every state of the account; someone else's thread; bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dossier.models import Document
from espace_sante.acces import acces_professionnel, espace_pour_acteur
from espace_sante.acces.messagerie import acces_fil
from espace_sante.journal.models import Action, Evenement
from messagerie import services
from messagerie.models import EtatFil, Fil, Message
from professionnels.models import AccesProfessionnel, BrisDeGlace
from professionnels.services import professionnel_bloquer

from ..conftest import client_pour
from ..dossier.test_fichiers import pdf
from ..factories import EspaceFactory, ProfessionnelFactory
from .outils import fichier

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _compteurs_propres() -> None:
    cache.clear()  # the send rate's counters (user ids come back from one test to the next)


def _ouvrir(pro, espace, *, sujet: str = "Vos résultats", corps: str = "Bonjour", **kw):  # type: ignore[no-untyped-def]
    return services.fil_ouvrir_professionnel(
        acces=acces_professionnel(professionnel=pro, espace_uuid=espace.uuid),
        sujet=sujet,
        corps=corps,
        **kw,
    )


def _repondre_patient(fil, corps: str = "Merci docteur", **kw):  # type: ignore[no-untyped-def]
    patient = espace_pour_acteur(utilisateur=fil.espace.titulaire, espace_uuid=fil.espace.uuid)
    return services.message_repondre(
        acces=acces_fil(utilisateur=patient.utilisateur, fil_uuid=fil.uuid), corps=corps, **kw
    )


@pytest.fixture
def client_pro(pro_autorise) -> Client:  # type: ignore[no-untyped-def]
    return client_pour(pro_autorise.utilisateur)


# --- Pages and account states --------------------------------------------------------------


def test_every_page_opens_for_a_verified_professional(client_pro, pro_autorise, titulaire):  # type: ignore[no-untyped-def]
    fil = _ouvrir(pro_autorise, titulaire, fichiers=[fichier()])
    piece = fil.messages.get().pieces.get()
    for url in (
        reverse("messagerie:pro_boite"),
        reverse("messagerie:pro_boite") + "?non_lus=on&avec_pieces=on&archives=on",
        reverse("messagerie:pro_ecrire", args=[titulaire.uuid]),
        reverse("messagerie:pro_fil", args=[fil.uuid]),
        reverse("messagerie:pro_clore", args=[fil.uuid]),
    ):
        assert client_pro.get(url).status_code == 200, url
    reponse = client_pro.get(reverse("messagerie:pro_piece", args=[fil.uuid, piece.uuid]))
    assert reponse.status_code == 200
    assert reponse["Content-Disposition"].startswith("attachment")
    assert b"".join(reponse.streaming_content).startswith(b"%PDF")
    assert Evenement.objects.filter(action=Action.PIECE_JOINTE_TELECHARGEE).count() == 1


@pytest.mark.parametrize("statut", ["en_attente", "suspendu"])
def test_an_account_not_verified_gets_the_unavailable_page(statut, titulaire, pro_autorise):  # type: ignore[no-untyped-def]
    fil = _ouvrir(pro_autorise, titulaire)
    pro_autorise.statut = statut
    pro_autorise.save()
    client = client_pour(pro_autorise.utilisateur)
    for url in (
        reverse("messagerie:pro_boite"),
        reverse("messagerie:pro_ecrire", args=[titulaire.uuid]),
        reverse("messagerie:pro_fil", args=[fil.uuid]),
    ):
        reponse = client.get(url)
        assert reponse.status_code == 403, url
        texte = reponse.content.decode()
        assert ("vérifiée" in texte) if statut == "en_attente" else ("pas actif" in texte)
    reponse = client.post(reverse("messagerie:pro_fil", args=[fil.uuid]), {"corps": "x"})
    assert reponse.status_code == 403
    assert Message.objects.count() == 1


def test_a_patient_without_a_professional_account_gets_404(client_titulaire):  # type: ignore[no-untyped-def]
    assert client_titulaire.get(reverse("messagerie:pro_boite")).status_code == 404


# --- Someone else's thread, a patient without access ---------------------------------------


def test_another_professionals_thread_and_attachments_answer_404(  # type: ignore[no-untyped-def]
    titulaire, pro_autorise
):
    fil = _ouvrir(pro_autorise, titulaire, fichiers=[fichier()])
    piece = fil.messages.get().pieces.get()
    autre = ProfessionnelFactory(utilisateur__nom="AUTRE")
    AccesProfessionnel.objects.create(espace=titulaire, professionnel=autre, autorise=True)
    client = client_pour(autre.utilisateur)
    for url in (
        reverse("messagerie:pro_fil", args=[fil.uuid]),
        reverse("messagerie:pro_nouveaux", args=[fil.uuid]) + "?apres=2020-01-01T00:00:00Z",
        reverse("messagerie:pro_clore", args=[fil.uuid]),
        reverse("messagerie:pro_piece", args=[fil.uuid, piece.uuid]),
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("messagerie:pro_fil", args=[fil.uuid]),
        reverse("messagerie:pro_clore", args=[fil.uuid]),
        reverse("messagerie:pro_ranger", args=[fil.uuid]),
        reverse("messagerie:pro_piece_deposer", args=[fil.uuid, piece.uuid]),
    ):
        assert client.post(url, {"corps": "x", "action": "archiver"}).status_code == 404, url
    # An attachment of another thread, under the professional's own thread: 404 too.
    sien = _ouvrir(autre, titulaire)
    url = reverse("messagerie:pro_piece", args=[sien.uuid, piece.uuid])
    assert client.get(url).status_code == 404
    assert Message.objects.count() == 2 and not Fil.objects.filter(ferme_le__isnull=False)


def test_compose_on_a_patient_without_access_answers_404(pro_non_autorise, titulaire):  # type: ignore[no-untyped-def]
    client = client_pour(pro_non_autorise.utilisateur)
    url = reverse("messagerie:pro_ecrire", args=[titulaire.uuid])
    assert client.get(url).status_code == 404
    assert client.post(url, {"sujet": "Bonjour", "corps": "Bonjour"}).status_code == 404
    assert not Fil.objects.exists()


def test_a_professional_in_an_emergency_writes_to_the_patient(pro_non_autorise, titulaire):  # type: ignore[no-untyped-def]
    BrisDeGlace.objects.create(
        espace=titulaire,
        professionnel=pro_non_autorise,
        motif="Patient inconscient aux urgences",
        fin=timezone.now() + timedelta(hours=1),
    )
    client = client_pour(pro_non_autorise.utilisateur)
    reponse = client.post(
        reverse("messagerie:pro_ecrire", args=[titulaire.uuid]),
        {"sujet": "Votre passage aux urgences", "corps": "Bonjour,\nvoici le compte rendu."},
        follow=True,
    )
    fil = Fil.objects.get()
    assert reponse.redirect_chain[-1][0] == reverse("messagerie:pro_fil", args=[fil.uuid])
    page = reponse.content.decode()
    assert "Message envoyé à Camille Anne MARTIN" in page
    assert "Bonjour,<br>voici le compte rendu." in page


def test_a_blocked_professional_reads_the_sentence_and_cannot_reply(  # type: ignore[no-untyped-def]
    client_pro, pro_autorise, titulaire
):
    fil = _ouvrir(pro_autorise, titulaire)
    professionnel_bloquer(
        acces=espace_pour_acteur(utilisateur=titulaire.titulaire, espace_uuid=titulaire.uuid),
        professionnel=pro_autorise,
    )
    url = reverse("messagerie:pro_fil", args=[fil.uuid])
    page = client_pro.get(url).content.decode()
    assert "ne vous permet plus" in page and 'name="corps"' not in page
    reponse = client_pro.post(url, {"corps": "Encore un mot"})
    assert reponse.status_code == 403 and "ne vous permet plus" in reponse.content.decode()
    assert Message.objects.count() == 1
    ecrire = reverse("messagerie:pro_ecrire", args=[titulaire.uuid])
    assert client_pro.get(ecrire).status_code == 404


# --- Compose and reply ---------------------------------------------------------------------


def test_compose_with_an_attachment_sends_it(client_pro, titulaire):  # type: ignore[no-untyped-def]
    reponse = client_pro.post(
        reverse("messagerie:pro_ecrire", args=[titulaire.uuid]),
        {
            "sujet": "Compte rendu",
            "corps": "Ci-joint.",
            "pieces": [SimpleUploadedFile("cr.pdf", pdf(1), content_type="application/pdf")],
        },
    )
    fil = Fil.objects.get()
    assert reponse.status_code == 302
    assert fil.messages.get().pieces.get().nom == "cr.pdf"


def test_a_hostile_attachment_is_refused_as_a_form_error_and_nothing_is_sent(  # type: ignore[no-untyped-def]
    client_pro, titulaire
):
    reponse = client_pro.post(
        reverse("messagerie:pro_ecrire", args=[titulaire.uuid]),
        {
            "sujet": "Compte rendu",
            "corps": "Ci-joint.",
            "pieces": [SimpleUploadedFile("cr.exe", b"MZ\x90\x00" + b"\x00" * 200)],
        },
    )
    assert reponse.status_code == 400
    assert "cr.exe" in reponse.content.decode()
    assert "Message envoyé" not in reponse.content.decode()
    assert not Fil.objects.exists()


def test_empty_and_oversize_bodies_are_form_errors(client_pro, titulaire):  # type: ignore[no-untyped-def]
    url = reverse("messagerie:pro_ecrire", args=[titulaire.uuid])
    reponse = client_pro.post(url, {"sujet": "Objet", "corps": "   "})
    assert reponse.status_code == 400
    assert "Écrivez votre message" in reponse.content.decode()
    reponse = client_pro.post(url, {"sujet": "Objet", "corps": "x" * 5001})
    assert reponse.status_code == 400 and "raccourcissez-le" in reponse.content.decode()
    assert not Fil.objects.exists()


def test_the_minors_secret_is_offered_on_a_minors_space_only(titulaire, enfant_represente):  # type: ignore[no-untyped-def]
    pro = ProfessionnelFactory()
    for espace in (titulaire, enfant_represente):
        AccesProfessionnel.objects.create(espace=espace, professionnel=pro, autorise=True)
    client = client_pour(pro.utilisateur)
    case = "secret du mineur"
    assert (
        case
        not in client.get(reverse("messagerie:pro_ecrire", args=[titulaire.uuid])).content.decode()
    )
    url = reverse("messagerie:pro_ecrire", args=[enfant_represente.uuid])
    assert case in client.get(url).content.decode()
    client.post(url, {"sujet": "Entre nous", "corps": "Bonjour", "secret_mineur": "on"})
    assert Fil.objects.get().secret_mineur


def test_markup_in_subject_and_body_is_shown_as_text(client_pro, pro_autorise, titulaire):  # type: ignore[no-untyped-def]
    fil = _ouvrir(
        pro_autorise,
        titulaire,
        sujet="<b>objet</b>",
        corps='<script>alert("x")</script><img src=x onerror=alert(1)>',
    )
    _repondre_patient(fil, corps="<script>alert(2)</script>")
    for url in (reverse("messagerie:pro_fil", args=[fil.uuid]), reverse("messagerie:pro_boite")):
        page = client_pro.get(url).content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page and "<b>objet" not in page
        assert "&lt;b&gt;objet&lt;/b&gt;" in page
    page = client_pro.get(reverse("messagerie:pro_fil", args=[fil.uuid])).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_reply_then_the_flood_limit_answers_with_the_form(  # type: ignore[no-untyped-def]
    client_pro, pro_autorise, titulaire, settings
):
    settings.MESSAGERIE_RATE = "2/h"
    fil = _ouvrir(pro_autorise, titulaire)
    url = reverse("messagerie:pro_fil", args=[fil.uuid])
    for i in range(2):
        reponse = client_pro.post(url, {"corps": f"Message {i}"}, follow=True)
        assert "Message envoyé à" in reponse.content.decode()
    reponse = client_pro.post(url, {"corps": "Un de trop"})
    assert reponse.status_code == 400
    assert "beaucoup de messages en peu de temps" in reponse.content.decode()
    assert fil.messages.count() == 3


# --- The thread: read receipts, polling, close, archive, delete -----------------------------


def test_viewing_marks_read_and_shows_the_patients_read_receipt(  # type: ignore[no-untyped-def]
    client_pro, pro_autorise, titulaire
):
    fil = _ouvrir(pro_autorise, titulaire)
    url = reverse("messagerie:pro_fil", args=[fil.uuid])
    assert "pas encore lu" in client_pro.get(url).content.decode()
    _repondre_patient(fil)  # the patient's reply marks it read on their side
    accueil = client_pro.get(reverse("professionnels:accueil")).content.decode()
    assert "Messages non lus" in accueil and "1 non lu" in accueil
    page = client_pro.get(url).content.decode()
    assert f"Lu par {titulaire.titulaire.nom_affiche} le " in page
    assert EtatFil.objects.get(fil=fil, utilisateur=pro_autorise.utilisateur).lu_le is not None
    accueil = client_pro.get(reverse("professionnels:accueil")).content.decode()
    assert "Messages non lus" not in accueil


def test_the_polled_fragment_returns_only_new_messages(client_pro, pro_autorise, titulaire):  # type: ignore[no-untyped-def]
    fil = _ouvrir(pro_autorise, titulaire)
    page = client_pro.get(reverse("messagerie:pro_fil", args=[fil.uuid])).content.decode()
    assert 'hx-trigger="every 10s"' in page
    apres = fil.messages.get().cree_le.isoformat()
    url = reverse("messagerie:pro_nouveaux", args=[fil.uuid])
    assert client_pro.get(url, {"apres": apres}).status_code == 204
    _repondre_patient(fil, corps="Une question")
    reponse = client_pro.get(url, {"apres": apres})
    texte = reponse.content.decode()
    assert reponse.status_code == 200 and "Une question" in texte and "Bonjour" not in texte
    assert 'id="attente-nouveaux"' in texte  # the next poller
    assert client_pro.get(url).status_code == 404  # no date


def test_close_asks_confirmation_then_closes(client_pro, pro_autorise, titulaire):  # type: ignore[no-untyped-def]
    fil = _ouvrir(pro_autorise, titulaire)
    url = reverse("messagerie:pro_clore", args=[fil.uuid])
    assert "ni vous ni le patient" in client_pro.get(url).content.decode()
    fil.refresh_from_db()
    assert not fil.ferme
    reponse = client_pro.post(url, follow=True)
    fil.refresh_from_db()
    assert fil.ferme
    page = reponse.content.decode()
    assert "Vous avez clos cette conversation" in page and 'name="corps"' not in page


def test_archive_and_delete_are_for_the_professional_only(client_pro, pro_autorise, titulaire):  # type: ignore[no-untyped-def]
    fil = _ouvrir(pro_autorise, titulaire, sujet="Sujet rangé")
    url = reverse("messagerie:pro_ranger", args=[fil.uuid])
    boite = reverse("messagerie:pro_boite")
    client_pro.post(url, {"action": "archiver"})
    assert "Sujet rangé" not in client_pro.get(boite).content.decode()
    assert "Sujet rangé" in client_pro.get(boite, {"archives": "on"}).content.decode()
    client_pro.post(url, {"action": "supprimer"})
    assert "Sujet rangé" not in client_pro.get(boite, {"archives": "on"}).content.decode()
    assert not EtatFil.objects.filter(utilisateur=titulaire.titulaire, supprime=True).exists()


def test_the_inbox_filters_by_patient_unread_and_attachments(pro_autorise, titulaire):  # type: ignore[no-untyped-def]
    autre = EspaceFactory(prenoms="Paul", nom_naissance="LEGRAND")
    AccesProfessionnel.objects.create(espace=autre, professionnel=pro_autorise, autorise=True)
    _ouvrir(pro_autorise, titulaire, sujet="Sujet Martin")
    fil = _ouvrir(pro_autorise, autre, sujet="Sujet Legrand", fichiers=[fichier()])
    client = client_pour(pro_autorise.utilisateur)
    boite = reverse("messagerie:pro_boite")
    page = client.get(boite, {"patient": str(autre.uuid)}).content.decode()
    assert "Sujet Legrand" in page and "Sujet Martin" not in page
    page = client.get(boite, {"avec_pieces": "on"}).content.decode()
    assert "Sujet Legrand" in page and "Sujet Martin" not in page
    assert "Sujet" not in client.get(boite, {"non_lus": "on"}).content.decode().split("<tbody>")[-1]
    _repondre_patient(fil)
    page = client.get(boite, {"non_lus": "on"}).content.decode()
    assert "Sujet Legrand" in page and "Sujet Martin" not in page
    # A patient not among the threads' is not a choice: the filter is ignored, no error.
    assert client.get(boite, {"patient": "pas-un-uuid"}).status_code == 200


# --- Attachments to the dossier ------------------------------------------------------------


def test_an_attachment_is_deposited_in_the_dossier_en_cours_de_verification(  # type: ignore[no-untyped-def]
    client_pro, pro_autorise, titulaire
):
    fil = _ouvrir(pro_autorise, titulaire)
    message = _repondre_patient(fil, fichiers=[fichier(nom="analyse.pdf")])
    piece = message.pieces.get()
    page = client_pro.get(reverse("messagerie:pro_fil", args=[fil.uuid])).content.decode()
    assert "Déposer dans le dossier" in page and 'value="11488-4" selected' in page
    reponse = client_pro.post(
        reverse("messagerie:pro_piece_deposer", args=[fil.uuid, piece.uuid]),
        {"type_code": "11488-4"},
        follow=True,
    )
    document = Document.objects.get(espace=titulaire)
    assert reponse.redirect_chain[-1][0] == reverse("professionnels:depot", args=[document.uuid])
    texte = reponse.content.decode()
    assert "en cours de vérification" in texte and "Mes dépôts" in texte
    assert "ajouté" not in texte.split('id="messages"')[1].split("</div>")[0]
    assert document.type_code == "11488-4"
    assert document.auteur_id == str(pro_autorise.utilisateur.uuid)


def test_a_type_the_professional_may_not_deposit_is_refused_with_a_message(  # type: ignore[no-untyped-def]
    client_pro, pro_autorise, titulaire
):
    fil = _ouvrir(pro_autorise, titulaire, fichiers=[fichier()])
    piece = fil.messages.get().pieces.get()
    reponse = client_pro.post(
        reverse("messagerie:pro_piece_deposer", args=[fil.uuid, piece.uuid]),
        {"type_code": "EXPPAT_2"},  # a patient's own type
        follow=True,
    )
    assert "ne peut pas être déposé par un professionnel" in reponse.content.decode()
    assert not Document.objects.exists()


# --- Fixed number of queries ---------------------------------------------------------------


def _requetes(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(url).status_code == 200
    return len(requetes)


def test_the_inbox_takes_as_many_queries_for_3_threads_as_for_30(pro_autorise, titulaire):  # type: ignore[no-untyped-def]
    client = client_pour(pro_autorise.utilisateur)
    url = reverse("messagerie:pro_boite")
    client.get(url)  # the session's first request writes its own rows
    for i in range(3):
        _ouvrir(pro_autorise, titulaire, sujet=f"Sujet {i}", fichiers=[fichier()] if i else [])
    peu = _requetes(client, url)
    for i in range(27):
        autre = EspaceFactory()
        AccesProfessionnel.objects.create(espace=autre, professionnel=pro_autorise, autorise=True)
        _repondre_patient(_ouvrir(pro_autorise, autre, sujet=f"Autre {i}"))
    assert _requetes(client, url) == peu


def test_the_thread_takes_as_many_queries_for_3_messages_as_for_30(pro_autorise, titulaire):  # type: ignore[no-untyped-def]
    client = client_pour(pro_autorise.utilisateur)
    fil = _ouvrir(pro_autorise, titulaire, fichiers=[fichier()])
    for _i in range(2):
        _repondre_patient(fil, fichiers=[fichier()])
    url = reverse("messagerie:pro_fil", args=[fil.uuid])
    client.get(url)  # the read mark exists from now on
    _repondre_patient(fil)
    peu = _requetes(client, url)
    for _i in range(27):
        _repondre_patient(fil, fichiers=[fichier()] if _i % 3 == 0 else [])
    assert _requetes(client, url) == peu
