"""The messagerie's pages on the patient's side (issue 18, points 2, 5 and 6): the inbox and its
filters, writing to a professional, a thread (read, reply, archive, delete), its attachments,
the poller of new messages, the unread counts of the menu and the home page; every page for
the holder and a representative, 404 for anyone else, read-only once the space is closed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dossier.models import Document
from espace_sante.acces import acces_professionnel
from espace_sante.acces.messagerie import acces_fil
from espace_sante.journal.models import Action, Evenement
from messagerie import services
from messagerie.models import Fil, Message, PieceJointe
from professionnels.models import AccesProfessionnel
from profil.models import Espace, Statut

from ..dossier.test_fichiers import executable_pe, pdf
from ..factories import ProfessionnelFactory
from .outils import fichier

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_vide() -> None:
    """The flood limit and the menu's count live in the cache: each test starts without."""
    cache.clear()


def _fil_du_pro(pro: Any, espace: Espace, **kw: Any) -> Fil:
    return services.fil_ouvrir_professionnel(
        acces=acces_professionnel(professionnel=pro, espace_uuid=espace.uuid),
        sujet=kw.pop("sujet", "Vos résultats"),
        corps=kw.pop("corps", "Bonjour, vos résultats sont normaux."),
        **kw,
    )


def _pro_repond(pro: Any, fil: Fil, corps: str = "Une autre nouvelle", **kw: Any) -> Message:
    return services.message_repondre(
        acces=acces_fil(utilisateur=pro.utilisateur, fil_uuid=fil.uuid), corps=corps, **kw
    )


def _url(nom: str, fil: Fil, *autres: Any) -> str:
    return reverse(f"messagerie:{nom}", args=[fil.espace.uuid, fil.uuid, *autres])


def _boite(espace: Espace) -> str:
    return reverse("messagerie:boite", args=[espace.uuid])


def _ecrire(espace: Espace) -> str:
    return reverse("messagerie:ecrire", args=[espace.uuid])


@pytest.fixture
def enfant_et_pro(enfant_represente: Espace) -> tuple[Espace, Any]:
    pro = ProfessionnelFactory(utilisateur__nom="PEDIATRE", utilisateur__prenom="Jeanne")
    AccesProfessionnel.objects.create(espace=enfant_represente, professionnel=pro, autorise=True)
    return enfant_represente, pro


# --- Every page, every persona -------------------------------------------------------------------


def _pages(fil: Fil) -> list[str]:
    piece = PieceJointe.objects.get(message__fil=fil)
    return [
        _boite(fil.espace),
        _ecrire(fil.espace),
        _url("fil", fil),
        _url("supprimer", fil),
        _url("nouveaux", fil) + "?apres=2020-01-01T00:00:00%2B00:00",
        _url("piece", fil, piece.uuid),
    ]


def test_every_page_answers_the_holder(titulaire, pro_autorise, client_titulaire) -> None:  # type: ignore[no-untyped-def]
    fil = _fil_du_pro(pro_autorise, titulaire, fichiers=[fichier()])
    for url in _pages(fil):
        assert client_titulaire.get(url).status_code == 200, url


def test_every_page_answers_the_representative_on_the_child_s_space(  # type: ignore[no-untyped-def]
    enfant_et_pro, client_titulaire
) -> None:
    enfant, pro = enfant_et_pro
    fil = _fil_du_pro(pro, enfant, fichiers=[fichier()])
    for url in _pages(fil):
        assert client_titulaire.get(url).status_code == 200, url
    page = client_titulaire.get(_url("fil", fil)).content.decode()
    assert "Vos résultats" in page and 'id="form-repondre"' in page


def test_someone_else_s_thread_and_attachment_are_404(  # type: ignore[no-untyped-def]
    titulaire, autre_titulaire, pro_autorise, client_titulaire, client_autre
) -> None:
    fil = _fil_du_pro(pro_autorise, titulaire, fichiers=[fichier()])
    piece = PieceJointe.objects.get(message__fil=fil)
    for url in _pages(fil):
        assert client_autre.get(url).status_code == 404, url
    # The other person's own space in the URL, this thread's ids after it.
    ailleurs = [
        reverse("messagerie:fil", args=[autre_titulaire.uuid, fil.uuid]),
        reverse("messagerie:piece", args=[autre_titulaire.uuid, fil.uuid, piece.uuid]),
    ]
    for url in ailleurs:
        assert client_autre.get(url).status_code == 404, url
    for nom in ("repondre", "ranger", "supprimer"):
        assert client_autre.post(_url(nom, fil), {"corps": "x"}).status_code == 404
    assert client_autre.post(_url("piece_ajouter", fil, piece.uuid)).status_code == 404
    # An attachment of another thread of the same space: 404 under this thread.
    autre_fil = _fil_du_pro(pro_autorise, titulaire, fichiers=[fichier()])
    autre_piece = PieceJointe.objects.get(message__fil=autre_fil)
    assert client_titulaire.get(_url("piece", fil, autre_piece.uuid)).status_code == 404
    assert Message.objects.count() == 2


def test_a_minor_s_secret_thread_is_404_for_the_representative(  # type: ignore[no-untyped-def]
    enfant_et_pro, client_titulaire
) -> None:
    enfant, pro = enfant_et_pro
    secret = _fil_du_pro(pro, enfant, sujet="Contraception", secret_mineur=True)
    visible = _fil_du_pro(pro, enfant, sujet="Vaccins")
    assert client_titulaire.get(_url("fil", secret)).status_code == 404
    assert client_titulaire.get(_url("nouveaux", secret) + "?apres=2020-01-01").status_code == 404
    boite = client_titulaire.get(_boite(enfant)).content.decode()
    assert "Vaccins" in boite and "Contraception" not in boite
    assert client_titulaire.get(_url("fil", visible)).status_code == 200


# --- The journey without JavaScript --------------------------------------------------------------


def test_write_then_read_the_reply_then_reply_with_an_attachment(  # type: ignore[no-untyped-def]
    titulaire, pro_autorise, client_titulaire
) -> None:
    page = client_titulaire.get(_ecrire(titulaire) + f"?pro={pro_autorise.uuid}").content.decode()
    assert f'<option value="{pro_autorise.uuid}" selected>' in page
    reponse = client_titulaire.post(
        _ecrire(titulaire),
        {
            "professionnel": str(pro_autorise.uuid),
            "sujet": "Renouvellement",
            "corps": "Bonjour docteur,\nmon ordonnance expire.",
            "pieces": SimpleUploadedFile("ordonnance.pdf", pdf(1), "application/pdf"),
        },
    )
    fil = Fil.objects.get()
    assert reponse.status_code == 302 and reponse["Location"] == _url("fil", fil)
    assert fil.messages.get().pieces.count() == 1
    page = client_titulaire.get(reponse["Location"]).content.decode()
    assert "Message envoyé à Dr Paul MARTIN." in page
    assert "Lu par" not in page  # the professional has not read it yet
    assert "Bonjour docteur,<br>mon ordonnance expire." in page
    assert "ordonnance.pdf" in page
    # The professional reads: the read receipt; then replies.
    services.fil_lire(acces=acces_fil(utilisateur=pro_autorise.utilisateur, fil_uuid=fil.uuid))
    assert "Lu par Dr Paul MARTIN le" in client_titulaire.get(_url("fil", fil)).content.decode()
    _pro_repond(pro_autorise, fil, "C'est fait.")
    page = client_titulaire.get(_url("fil", fil)).content.decode()
    assert "C&#x27;est fait." in page
    reponse = client_titulaire.post(
        _url("repondre", fil),
        {"corps": "Merci !", "pieces": SimpleUploadedFile("photo.pdf", pdf(1), "application/pdf")},
    )
    dernier = fil.messages.latest("cree_le")
    assert reponse.status_code == 302
    assert reponse["Location"] == f"{_url('fil', fil)}#message-{dernier.uuid}"
    assert dernier.corps == "Merci !" and dernier.pieces.get().nom == "photo.pdf"
    assert Evenement.objects.filter(action=Action.MESSAGE_ENVOYE).count() == 3


def test_a_representative_writes_from_the_child_s_space(  # type: ignore[no-untyped-def]
    enfant_et_pro, client_titulaire
) -> None:
    enfant, pro = enfant_et_pro
    reponse = client_titulaire.post(
        _ecrire(enfant),
        {"professionnel": str(pro.uuid), "sujet": "Fièvre", "corps": "Depuis hier soir."},
    )
    fil = Fil.objects.get()
    assert reponse.status_code == 302 and fil.espace == enfant
    assert fil.messages.get().auteur_nom.endswith("représentant légal")


def test_without_a_reachable_professional_the_page_says_whom_one_may_write_to(  # type: ignore[no-untyped-def]
    titulaire, pro_non_autorise, client_titulaire
) -> None:
    boite = client_titulaire.get(_boite(titulaire)).content.decode()
    assert 'id="ecrire"' not in boite and "Mes professionnels" in boite
    assert reverse("professionnels:liste", args=[titulaire.uuid]) in boite
    reponse = client_titulaire.post(
        _ecrire(titulaire),
        {"professionnel": str(pro_non_autorise.uuid), "sujet": "Bonjour", "corps": "Bonjour"},
    )
    assert reponse.status_code == 400 and not Fil.objects.exists()


# --- Bad input -----------------------------------------------------------------------------------


def test_markup_and_script_are_shown_as_text(titulaire, pro_autorise, client_titulaire) -> None:  # type: ignore[no-untyped-def]
    hostile = '<script>alert("x")</script><b>gras</b>'
    client_titulaire.post(
        _ecrire(titulaire),
        {"professionnel": str(pro_autorise.uuid), "sujet": hostile, "corps": hostile},
    )
    fil = Fil.objects.get()
    for url in (_boite(titulaire), _url("fil", fil)):
        page = client_titulaire.get(url).content.decode()
        assert "<script>alert" not in page and "<b>gras" not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


@pytest.mark.parametrize(
    ("donnees", "erreur"),
    [
        ({"corps": "   "}, "Écrivez votre message avant de l&#x27;envoyer."),
        ({"corps": "x" * 5001}, "Votre message dépasse 5\u202f000 caractères"),
        ({"sujet": ""}, "Donnez un objet à la conversation."),
        ({"professionnel": ""}, "Choisissez le professionnel à qui écrire."),
    ],
)
def test_bad_input_is_shown_as_form_errors(  # type: ignore[no-untyped-def]
    titulaire, pro_autorise, client_titulaire, donnees, erreur
) -> None:
    valides = {"professionnel": str(pro_autorise.uuid), "sujet": "Question", "corps": "Bonjour"}
    reponse = client_titulaire.post(_ecrire(titulaire), {**valides, **donnees})
    assert reponse.status_code == 400
    assert erreur in reponse.content.decode()
    assert not Fil.objects.exists()


def test_a_hostile_attachment_is_refused_and_nothing_is_sent(  # type: ignore[no-untyped-def]
    titulaire, pro_autorise, client_titulaire
) -> None:
    fil = _fil_du_pro(pro_autorise, titulaire)
    reponse = client_titulaire.post(
        _url("repondre", fil),
        {
            "corps": "Voici le fichier",
            "pieces": SimpleUploadedFile("facture.pdf", executable_pe(), "application/pdf"),
        },
    )
    page = reponse.content.decode()
    assert reponse.status_code == 400 and "facture.pdf" in page
    assert 'id="form-repondre"' in page and "Voici le fichier" in page  # the text is kept
    assert fil.messages.count() == 1 and PieceJointe.objects.count() == 0


def test_an_oversize_attachment_is_refused(  # type: ignore[no-untyped-def]
    titulaire, pro_autorise, client_titulaire, settings
) -> None:
    settings.MESSAGERIE_TAILLE_PIECE = 1000
    fil = _fil_du_pro(pro_autorise, titulaire)
    reponse = client_titulaire.post(
        _url("repondre", fil),
        {"corps": "Lourd", "pieces": SimpleUploadedFile("gros.pdf", pdf(3), "application/pdf")},
    )
    assert reponse.status_code == 400
    assert "un fichier joint ne peut dépasser" in reponse.content.decode()
    assert fil.messages.count() == 1


def test_flooding_is_stopped_with_a_clear_message(  # type: ignore[no-untyped-def]
    titulaire, pro_autorise, client_titulaire, settings
) -> None:
    settings.MESSAGERIE_RATE = "2/h"
    fil = _fil_du_pro(pro_autorise, titulaire)
    for n in range(2):
        assert client_titulaire.post(_url("repondre", fil), {"corps": f"n°{n}"}).status_code == 302
    reponse = client_titulaire.post(_url("repondre", fil), {"corps": "encore"})
    assert reponse.status_code == 429
    assert "Vous avez envoyé beaucoup de messages en peu de temps" in reponse.content.decode()
    reponse = client_titulaire.post(
        _ecrire(titulaire),
        {"professionnel": str(pro_autorise.uuid), "sujet": "Autre", "corps": "Bonjour"},
    )
    assert reponse.status_code == 429 and Fil.objects.count() == 1
    assert fil.messages.count() == 3


# --- The inbox -----------------------------------------------------------------------------------


def test_the_inbox_filters(titulaire, pro_autorise, client_titulaire) -> None:  # type: ignore[no-untyped-def]
    autre_pro = ProfessionnelFactory(utilisateur__nom="ROUX", utilisateur__prenom="Léa")
    AccesProfessionnel.objects.create(espace=titulaire, professionnel=autre_pro, autorise=True)
    avec_piece = _fil_du_pro(
        pro_autorise, titulaire, sujet="Ordonnance jointe", fichiers=[fichier()]
    )
    lu = _fil_du_pro(pro_autorise, titulaire, sujet="Déjà lu")
    client_titulaire.get(_url("fil", lu))
    du_roux = _fil_du_pro(autre_pro, titulaire, sujet="Du Dr Roux")
    archive = _fil_du_pro(autre_pro, titulaire, sujet="Rangé")
    client_titulaire.post(_url("ranger", archive), {"action": "archiver"})

    def sujets(**params: str) -> set[str]:
        page = client_titulaire.get(_boite(titulaire), params).content.decode()
        return {f.sujet for f in (avec_piece, lu, du_roux, archive) if f.sujet in page}

    assert sujets() == {"Ordonnance jointe", "Déjà lu", "Du Dr Roux"}
    assert sujets(non_lus="on") == {"Ordonnance jointe", "Du Dr Roux"}
    assert sujets(avec_pieces="on") == {"Ordonnance jointe"}
    assert sujets(professionnel=str(autre_pro.uuid)) == {"Du Dr Roux"}
    assert sujets(archives="on") == {"Rangé"}
    page = client_titulaire.get(_boite(titulaire)).content.decode()
    assert "1 non lu" in page and "Pièces jointes" in page and "Dr Léa ROUX" in page


def test_archive_then_delete_for_oneself_only(titulaire, pro_autorise, client_titulaire) -> None:  # type: ignore[no-untyped-def]
    fil = _fil_du_pro(pro_autorise, titulaire, sujet="À ranger")
    client_titulaire.post(_url("ranger", fil), {"action": "archiver"})
    assert "À ranger" not in client_titulaire.get(_boite(titulaire)).content.decode()
    assert "Désarchiver" in client_titulaire.get(_url("fil", fil)).content.decode()
    client_titulaire.post(_url("ranger", fil), {"action": "desarchiver"})
    assert "À ranger" in client_titulaire.get(_boite(titulaire)).content.decode()
    confirmation = client_titulaire.get(_url("supprimer", fil))
    assert confirmation.status_code == 200 and "Dr Paul MARTIN garde la sienne" in (
        confirmation.content.decode()
    )
    assert "À ranger" in client_titulaire.get(_boite(titulaire)).content.decode()  # not yet
    reponse = client_titulaire.post(_url("supprimer", fil))
    assert reponse.status_code == 302 and reponse["Location"] == _boite(titulaire)
    assert "À ranger" not in client_titulaire.get(_boite(titulaire)).content.decode()
    assert Fil.objects.filter(pk=fil.pk).exists()  # the professional keeps theirs
    _pro_repond(pro_autorise, fil)  # a new message brings it back
    assert "À ranger" in client_titulaire.get(_boite(titulaire)).content.decode()
    assert client_titulaire.post(_url("ranger", fil), {"action": "autre"}).status_code == 404


def test_the_inbox_is_paginated(titulaire, pro_autorise, client_titulaire) -> None:  # type: ignore[no-untyped-def]
    for n in range(26):
        _fil_du_pro(pro_autorise, titulaire, sujet=f"Sujet {n}")
    page = client_titulaire.get(_boite(titulaire)).content.decode()
    assert page.count('class="fr-card__title"') == 25 and "Page 1 sur 2" in page
    page = client_titulaire.get(_boite(titulaire), {"page": 2}).content.decode()
    assert page.count('class="fr-card__title"') == 1 and "Sujet 0" in page


# --- Attachments ---------------------------------------------------------------------------------


def test_an_attachment_is_downloaded_and_journaled(  # type: ignore[no-untyped-def]
    titulaire, pro_autorise, client_titulaire
) -> None:
    fil = _fil_du_pro(pro_autorise, titulaire, fichiers=[fichier()])
    piece = PieceJointe.objects.get()
    reponse = client_titulaire.get(_url("piece", fil, piece.uuid))
    assert reponse.status_code == 200
    assert reponse["Content-Disposition"].startswith("attachment")
    assert b"".join(reponse.streaming_content).startswith(b"%PDF")
    assert Evenement.objects.filter(action=Action.PIECE_JOINTE_TELECHARGEE).count() == 1


def test_an_attachment_is_added_to_the_documents_in_processing(  # type: ignore[no-untyped-def]
    titulaire, pro_autorise, client_titulaire
) -> None:
    fil = _fil_du_pro(pro_autorise, titulaire, fichiers=[fichier(nom="bilan_sanguin.pdf")])
    piece = PieceJointe.objects.get()
    page = client_titulaire.get(_url("fil", fil)).content.decode()
    assert "Ajouter à mes documents" in page
    assert client_titulaire.get(_url("piece_ajouter", fil, piece.uuid)).status_code == 405
    reponse = client_titulaire.post(_url("piece_ajouter", fil, piece.uuid), follow=True)
    document = Document.objects.get(espace=titulaire)
    page = reponse.content.decode()
    assert "« bilan sanguin » est ajouté à vos documents ; il sera consultable dès qu" in page
    assert reverse("dossier:document", args=[titulaire.uuid, document.uuid]) in page
    assert "disponible" not in page


# --- Live updates (htmx) -------------------------------------------------------------------------


def test_the_poller_brings_the_new_messages_only(  # type: ignore[no-untyped-def]
    titulaire, pro_autorise, client_titulaire
) -> None:
    fil = _fil_du_pro(pro_autorise, titulaire)
    page = client_titulaire.get(_url("fil", fil)).content.decode()
    assert 'hx-trigger="every 10s"' in page and "django_htmx/htmx-2" in page
    debut = page.index('hx-get="') + len('hx-get="')
    url = page[debut : page.index('"', debut)].replace("&amp;", "&")
    assert client_titulaire.get(url).status_code == 204
    nouveau = _pro_repond(pro_autorise, fil, "Du nouveau")
    fragment = client_titulaire.get(url, headers={"HX-Request": "true"})
    contenu = fragment.content.decode()
    assert fragment.status_code == 200 and "Du nouveau" in contenu
    assert contenu.count("<article") == 1 and f"message-{nouveau.uuid}" in contenu
    assert 'hx-get="' in contenu  # the next poller, after the new message
    assert client_titulaire.get(url.split("?")[0] + "?apres=demain").status_code == 400


# --- A closed space: read-only -------------------------------------------------------------------


def test_a_closed_space_s_conversations_are_read_only(  # type: ignore[no-untyped-def]
    titulaire, pro_autorise, client_titulaire
) -> None:
    fil = _fil_du_pro(pro_autorise, titulaire, fichiers=[fichier()])
    Espace.objects.filter(pk=titulaire.pk).update(statut=Statut.CLOTURE)
    boite = client_titulaire.get(_boite(titulaire))
    assert boite.status_code == 200
    contenu = boite.content.decode()
    assert "Vos résultats" in contenu and 'id="ecrire"' not in contenu
    page = client_titulaire.get(_url("fil", fil)).content.decode()
    assert 'id="form-repondre"' not in page and "Cet espace santé est fermé" in page
    assert "Ajouter à mes documents" not in page
    assert client_titulaire.get(_ecrire(titulaire)).status_code == 302
    accueil = client_titulaire.get(reverse("ensemble:espace", args=[titulaire.uuid]))
    assert _boite(titulaire) in accueil.content.decode()  # the closure page links to them
    assert client_titulaire.post(_url("repondre", fil), {"corps": "Encore"}).status_code == 403
    assert fil.messages.count() == 1


# --- Unread counts: the menu and the home page ---------------------------------------------------


def test_the_menu_and_the_home_page_show_the_unread_count(  # type: ignore[no-untyped-def]
    titulaire, pro_autorise, client_titulaire
) -> None:
    documents = reverse("dossier:documents", args=[titulaire.uuid])
    assert 'id="non-lus-menu"' not in client_titulaire.get(documents).content.decode()
    cache.clear()
    fil = _fil_du_pro(pro_autorise, titulaire)
    _pro_repond(pro_autorise, fil)
    page = client_titulaire.get(documents).content.decode()
    assert 'id="non-lus-menu">2<' in page
    accueil = client_titulaire.get(reverse("ensemble:espace", args=[titulaire.uuid]))
    assert "2 messages non lus" in accueil.content.decode()
    client_titulaire.get(_url("fil", fil))  # read: the count is read again
    assert 'id="non-lus-menu"' not in client_titulaire.get(documents).content.decode()


# --- Fixed number of queries ---------------------------------------------------------------------


def _requetes(client: Client, url: str) -> int:
    client.get(url)  # warm: the session, the menu's count
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(url).status_code == 200
    return len(requetes)


def test_the_inbox_takes_as_many_queries_for_3_threads_as_for_30(  # type: ignore[no-untyped-def]
    titulaire, pro_autorise, client_titulaire
) -> None:
    for n in range(3):
        _fil_du_pro(pro_autorise, titulaire, sujet=f"Sujet {n}", fichiers=[fichier()])
    peu = _requetes(client_titulaire, _boite(titulaire))
    for n in range(3, 30):
        _fil_du_pro(pro_autorise, titulaire, sujet=f"Sujet {n}", fichiers=[fichier()])
    assert _requetes(client_titulaire, _boite(titulaire)) == peu
    filtre = _boite(titulaire) + f"?non_lus=on&professionnel={pro_autorise.uuid}"
    assert _requetes(client_titulaire, filtre) == peu  # filtered: the same statements


def test_a_thread_takes_as_many_queries_for_3_messages_as_for_30(  # type: ignore[no-untyped-def]
    titulaire, pro_autorise, client_titulaire
) -> None:
    fil = _fil_du_pro(pro_autorise, titulaire, fichiers=[fichier()])
    for n in range(2):
        _pro_repond(pro_autorise, fil, f"Message {n}", fichiers=[fichier()])
    client_titulaire.get(_url("fil", fil))  # read: both measures then find nothing new
    peu = _requetes(client_titulaire, _url("fil", fil))
    for n in range(27):
        _pro_repond(pro_autorise, fil, f"Message {n}", fichiers=[fichier()])
    client_titulaire.get(_url("fil", fil))
    assert _requetes(client_titulaire, _url("fil", fil)) == peu


def test_dates_read_as_french(titulaire, pro_autorise, client_titulaire) -> None:  # type: ignore[no-untyped-def]
    fil = _fil_du_pro(pro_autorise, titulaire)
    quand = timezone.make_aware(timezone.datetime(2026, 12, 3, 14, 5))
    Message.objects.filter(fil=fil).update(cree_le=quand)
    Fil.objects.filter(pk=fil.pk).update(dernier_message_le=quand + timedelta(minutes=1))
    page = client_titulaire.get(_url("fil", fil)).content.decode()
    assert "le 3 décembre 2026 à 14 h 05" in page
    boite = client_titulaire.get(_boite(titulaire)).content.decode()
    assert "Dernier message le 3 décembre 2026 à 14 h 06" in boite


def test_the_inbox_dates_read_as_the_general_formatter_writes_them() -> None:
    from django.utils.dates import MONTHS

    from espace_sante.lib.formulations import moment_en_mots
    from messagerie.views_patient import _quand

    mois = [""] + [str(MONTHS[n]) for n in range(1, 13)]
    for moment in (
        timezone.datetime(2026, 1, 1, 0, 0),
        timezone.datetime(2026, 8, 15, 9, 7),
        timezone.datetime(2027, 12, 31, 23, 59),
    ):
        assert _quand(moment, mois) == moment_en_mots(moment, heure="G \\h i")
