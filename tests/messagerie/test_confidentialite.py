"""The messagerie seen from elsewhere (issue 18, point 4): the operator's admin shows no
message, the patient's history says what was done and never what was written, the e-mail
names only the sender's kind and links to the inbox."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.core import mail
from django.urls import reverse

from espace_sante.acces import acces_professionnel, espace_pour_acteur
from espace_sante.acces.messagerie import acces_fil, fil_pour_acces
from messagerie import services

from ..conftest import client_pour
from .outils import fichier

pytestmark = pytest.mark.django_db


def _echange(titulaire, pro):  # type: ignore[no-untyped-def]
    fil = services.fil_ouvrir_professionnel(
        acces=acces_professionnel(professionnel=pro, espace_uuid=titulaire.uuid),
        sujet="Suspicion de mélanome",
        corps="Pouvez-vous passer au cabinet ?",
        fichiers=[fichier(nom="dermatoscopie.pdf")],
    )
    cote_patient = fil_pour_acces(
        acces=espace_pour_acteur(utilisateur=titulaire.titulaire, espace_uuid=titulaire.uuid),
        fil_uuid=fil.uuid,
    )
    services.fil_lire(acces=cote_patient)
    piece = fil.messages.get().pieces.get()
    services.piece_telechargement(acces=cote_patient, piece=piece)
    services.message_repondre(acces=cote_patient, corps="Oui, mardi matin.")
    services.fil_fermer(acces=acces_fil(utilisateur=pro.utilisateur, fil_uuid=fil.uuid))
    return fil


def test_aucun_modele_de_la_messagerie_dans_l_admin(titulaire, pro_autorise, client_operateur):
    _echange(titulaire, pro_autorise)
    modeles = set(apps.get_app_config("messagerie").get_models())
    assert not modeles & set(admin.site._registry)
    for url in (reverse("admin:index"), reverse("admin:journal_evenement_changelist")):
        page = client_operateur.get(url).content.decode()
        assert "mélanome" not in page and "cabinet" not in page and "dermatoscopie" not in page


def test_l_historique_dit_ce_qui_a_ete_fait_jamais_ce_qui_a_ete_ecrit(titulaire, pro_autorise):
    _echange(titulaire, pro_autorise)
    client = client_pour(titulaire.titulaire)
    url = reverse("ensemble:historique", args=[titulaire.uuid])
    page = (
        client.get(url).content.decode()
        + client.get(f"{url}?onglet=professionnels").content.decode()
    )
    for phrase in (
        "a envoyé un message (messagerie)",
        "a lu une conversation (messagerie)",
        "a téléchargé une pièce jointe d&#x27;un message (messagerie)",
        "a clos une conversation (messagerie)",
    ):
        assert phrase in page, phrase
    for secret in ("mélanome", "cabinet", "dermatoscopie", "mardi"):
        assert secret not in page


def test_le_courriel_nomme_l_expediteur_et_mene_a_la_messagerie(
    titulaire, pro_autorise, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _echange(titulaire, pro_autorise)
    au_patient = next(m for m in mail.outbox if m.to == [titulaire.titulaire.email])
    au_pro = next(m for m in mail.outbox if m.to == [pro_autorise.utilisateur.email])
    assert "Un professionnel de santé vous a écrit" in au_patient.subject
    assert "/messagerie/" in au_patient.body and "/pro/messagerie/" in au_pro.body
    for message in (au_patient, au_pro):
        assert "mélanome" not in message.body and "mardi" not in message.body
        assert "aucune donnée de santé" in message.body
