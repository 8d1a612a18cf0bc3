"""Paramètres, the account's part: e-mail (switched only once the new address confirms it),
phone number, the e-mails received (and the senders honour them); each change journaled
without its value."""

from __future__ import annotations

import html
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from dossier.services import document_notifier
from espace_sante.comptes.models import Notification, TypeNotification
from espace_sante.comptes.parametres import telephone_normaliser
from espace_sante.comptes.services import notification_programmer
from espace_sante.journal.models import Action, Evenement
from profil.models import Espace

from .conftest import client_pour
from .factories import UtilisateurFactory, document

pytestmark = pytest.mark.django_db

NOUVELLE = "camille.nouvelle@exemple.test"


def _lien(corps: str) -> str:
    trouve = re.search(r"https?://\S+(/compte/email/confirmer/\S+/)", corps)
    assert trouve is not None
    return trouve.group(1)


def _demander(client: Client, email: str = NOUVELLE) -> str:
    reponse = client.post(reverse("comptes:email_changer"), {"email": email})
    assert reponse.status_code == 200
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [email]
    return _lien(mail.outbox[0].body)


def test_the_settings_page_links_to_the_account_settings(titulaire, client_titulaire) -> None:  # type: ignore[no-untyped-def]
    page = client_titulaire.get(reverse("profil:parametres", args=[titulaire.uuid]))
    assert reverse("comptes:compte") in page.content.decode()
    compte = client_titulaire.get(reverse("comptes:compte")).content.decode()
    assert titulaire.titulaire.email in compte
    assert "ne sert à rien d’autre pour l’instant" in compte


def test_the_account_settings_need_a_login(client: Client) -> None:
    for nom in ("comptes:compte", "comptes:email_changer", "comptes:telephone_changer"):
        reponse = client.get(reverse(nom))
        assert reponse.status_code == 302 and "/comptes/login/" in reponse["Location"]


def test_a_new_address_is_used_only_once_its_link_is_confirmed_and_the_old_one_is_told(
    titulaire, client_titulaire, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    compte = titulaire.titulaire
    ancienne = compte.email
    lien = _demander(client_titulaire)
    compte.refresh_from_db()
    assert compte.email == ancienne
    # opening the link (a mail scanner does) changes nothing
    page = client_titulaire.get(lien)
    assert NOUVELLE in page.content.decode()
    compte.refresh_from_db()
    assert compte.email == ancienne
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client_titulaire.post(lien)
    assert reponse.status_code == 302
    compte.refresh_from_db()
    assert compte.email == NOUVELLE
    assert mail.outbox[-1].to == [ancienne]
    assert "remplacée" in mail.outbox[-1].body
    assert NOUVELLE not in mail.outbox[-1].body
    evenement = Evenement.objects.get(action=Action.COMPTE_EMAIL)
    assert NOUVELLE not in str(evenement.details) and ancienne not in str(evenement.details)
    assert evenement.objet_id == str(compte.uuid)


def test_a_confirmation_link_serves_once(titulaire, client_titulaire) -> None:  # type: ignore[no-untyped-def]
    lien = _demander(client_titulaire)
    client_titulaire.post(lien)
    again = client_titulaire.post(lien)
    assert "déjà servi" in html.unescape(again.content.decode())


def test_another_account_cannot_use_the_link(titulaire, client_titulaire, autre_titulaire) -> None:  # type: ignore[no-untyped-def]
    lien = _demander(client_titulaire)
    reponse = client_pour(autre_titulaire.titulaire).post(lien)
    assert reponse.status_code == 200
    autre_titulaire.titulaire.refresh_from_db()
    titulaire.titulaire.refresh_from_db()
    assert NOUVELLE not in (autre_titulaire.titulaire.email, titulaire.titulaire.email)


def test_a_forged_link_is_refused(titulaire, client_titulaire) -> None:  # type: ignore[no-untyped-def]
    reponse = client_titulaire.post(reverse("comptes:email_confirmer", args=["abc:def"]))
    assert "pas valable" in html.unescape(reponse.content.decode())


def test_an_address_another_account_uses_is_refused(
    titulaire, client_titulaire, autre_titulaire
) -> None:  # type: ignore[no-untyped-def]
    reponse = client_titulaire.post(
        reverse("comptes:email_changer"), {"email": autre_titulaire.titulaire.email.upper()}
    )
    assert "Un compte utilise déjà" in html.unescape(reponse.content.decode())
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("saisie", "attendu"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+33 (0)6 12 34 56 78", "+33612345678"),
        ("0033612345678", "+33612345678"),
        ("+32 2 123 45 67", "+3221234567"),
        ("+1 415 555 2671", "+14155552671"),
    ],
)
def test_phone_numbers_are_normalised(saisie: str, attendu: str) -> None:
    assert telephone_normaliser(saisie) == attendu


@pytest.mark.parametrize(
    "saisie", ["12345", "0012", "6 12 34 56 78", "+33 6 12 34 56", "06 12 34 56 7a", "+0612345678"]
)
def test_wrong_phone_numbers_are_refused(saisie: str) -> None:
    with pytest.raises(ValueError):
        telephone_normaliser(saisie)


def test_the_phone_number_is_saved_then_removed_and_journaled_without_it(
    titulaire, client_titulaire
) -> None:  # type: ignore[no-untyped-def]
    url = reverse("comptes:telephone_changer")
    assert client_titulaire.post(url, {"telephone": "abc"}).status_code == 200
    assert client_titulaire.post(url, {"telephone": "06 12 34 56 78"}).status_code == 302
    titulaire.titulaire.refresh_from_db()
    assert titulaire.titulaire.telephone == "+33612345678"
    evenement = Evenement.objects.get(action=Action.COMPTE_TELEPHONE)
    assert "612345678" not in str(evenement.details)
    assert evenement.espace_uuid == titulaire.uuid
    client_titulaire.post(url, {"telephone": ""})
    titulaire.titulaire.refresh_from_db()
    assert titulaire.titulaire.telephone == ""


def test_a_person_turns_off_new_document_e_mails_and_the_sender_honours_it(
    titulaire, client_titulaire, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    garder = [TypeNotification.MESSAGE_DE_PROFESSIONNEL, TypeNotification.PREMIER_ACCES_PRO]
    reponse = client_titulaire.post(reverse("comptes:notifications_choisir"), {"recues": garder})
    assert reponse.status_code == 302
    titulaire.titulaire.refresh_from_db()
    assert TypeNotification.NOUVEAU_DOCUMENT in titulaire.titulaire.notifications_refusees
    assert Evenement.objects.filter(action=Action.COMPTE_NOTIFICATIONS).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        document_notifier(document(Espace.objects.get(pk=titulaire.pk)))
    assert not Notification.objects.filter(type=TypeNotification.NOUVEAU_DOCUMENT).exists()
    assert mail.outbox == []
    # turned back on: the next one is sent
    client_titulaire.post(
        reverse("comptes:notifications_choisir"),
        {"recues": [*garder, TypeNotification.NOUVEAU_DOCUMENT]},
    )
    with django_capture_on_commit_callbacks(execute=True):
        document_notifier(document(Espace.objects.get(pk=titulaire.pk)))
    assert len(mail.outbox) == 1


def test_emergency_access_and_security_e_mails_cannot_be_turned_off(titulaire) -> None:  # type: ignore[no-untyped-def]
    compte = titulaire.titulaire
    compte.notifications_refusees = [TypeNotification.ACCES_URGENCE, "inscription_adresse"]
    compte.save()
    for type_ in (TypeNotification.ACCES_URGENCE, TypeNotification.INSCRIPTION_ADRESSE_PRISE):
        assert notification_programmer(destinataire=compte, type=type_, cle="x") is not None


def test_the_form_ignores_a_value_outside_the_optional_e_mails(client_titulaire, titulaire) -> None:  # type: ignore[no-untyped-def]
    client_titulaire.post(reverse("comptes:notifications_choisir"), {"recues": ["acces_urgence"]})
    titulaire.titulaire.refresh_from_db()
    assert "acces_urgence" not in titulaire.titulaire.notifications_refusees


def test_a_professional_reaches_the_account_settings_too(db) -> None:  # type: ignore[no-untyped-def]
    assert client_pour(UtilisateurFactory()).get(reverse("comptes:compte")).status_code == 200
