"""A person's account settings: e-mail (switched once the new address is confirmed), phone
number, the e-mails they receive. Each change sends ``compte_modifie``, which the journal's
receiver records (profil/signals.py) without the values themselves."""

from __future__ import annotations

import re
from collections.abc import Iterable

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.dispatch import Signal
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from espace_sante.lib.erreurs import Refus

from .models import NOTIFICATIONS_FACULTATIVES, Utilisateur

# sent with ``utilisateur``, ``request`` and ``quoi`` ("email", "telephone", "notifications")
compte_modifie = Signal()

SEL_EMAIL = "comptes.changement-email"
DUREE_LIEN_EMAIL = 60 * 60 * 24  # seconds: a confirmation link is good for one day

_SEPARATEURS = re.compile(r"[\s.\-()]")
_FRANCAIS = re.compile(r"0[1-9]\d{8}")
_INTERNATIONAL = re.compile(r"\+[1-9]\d{7,14}")


def telephone_normaliser(saisie: str) -> str:
    """``06 12 34 56 78`` → ``+33612345678``; ``+44 20 7946 0958`` kept as typed, without
    separators. Raises ``ValueError`` for anything else (a French number has 10 digits
    starting with 0; an international one starts with + and has 8 to 15 digits)."""
    numero = _SEPARATEURS.sub("", saisie)
    if numero.startswith("00"):
        numero = "+" + numero[2:]
    if _FRANCAIS.fullmatch(numero):
        return "+33" + numero[1:]
    if numero.startswith("+330"):  # +33 (0)6… written with the trunk zero
        numero = "+33" + numero[4:]
    if _INTERNATIONAL.fullmatch(numero) and not (numero.startswith("+33") and len(numero) != 12):
        return numero
    raise ValueError(numero)


def _signaler(utilisateur: Utilisateur, request: HttpRequest | None, quoi: str) -> None:
    compte_modifie.send(sender=Utilisateur, utilisateur=utilisateur, request=request, quoi=quoi)


@transaction.atomic
def telephone_changer(
    *, utilisateur: Utilisateur, telephone: str, request: HttpRequest | None = None
) -> None:
    if telephone == utilisateur.telephone:
        return
    utilisateur.telephone = telephone
    utilisateur.save(update_fields=["telephone"])
    _signaler(utilisateur, request, "telephone")


@transaction.atomic
def notifications_choisir(
    *, utilisateur: Utilisateur, refusees: Iterable[str], request: HttpRequest | None = None
) -> None:
    """Record which optional e-mails the person turned off (any other value is ignored)."""
    valeurs = sorted({str(t) for t in refusees} & {str(t) for t in NOTIFICATIONS_FACULTATIVES})
    if valeurs == sorted(utilisateur.notifications_refusees or []):
        return
    utilisateur.notifications_refusees = valeurs
    utilisateur.save(update_fields=["notifications_refusees"])
    _signaler(utilisateur, request, "notifications")


def email_changement_demander(*, utilisateur: Utilisateur, nouvel_email: str) -> None:
    """Send a confirmation link to the new address; nothing changes until it is opened."""
    jeton = signing.dumps(
        {"u": str(utilisateur.uuid), "de": utilisateur.email, "vers": nouvel_email},
        salt=SEL_EMAIL,
    )
    lien = settings.SITE_URL + reverse("comptes:email_confirmer", args=[jeton])
    send_mail(
        subject="Espace Santé — confirmez votre nouvelle adresse e-mail",
        message=render_to_string(
            "comptes/email_changement_confirmer.txt", {"lien": lien, "heures": 24}
        ),
        from_email=None,
        recipient_list=[nouvel_email],
    )


def email_jeton_lire(*, utilisateur: Utilisateur, jeton: str) -> str:
    """The new address a link carries, if it is this account's, still valid and made for its
    current address (a link used once, or outdated by another change, is refused)."""
    try:
        donnees = signing.loads(jeton, salt=SEL_EMAIL, max_age=DUREE_LIEN_EMAIL)
    except signing.SignatureExpired as erreur:
        raise Refus("Ce lien a expiré : demandez un nouveau changement d'adresse.") from erreur
    except signing.BadSignature as erreur:
        raise Refus("Ce lien n'est pas valable.") from erreur
    if donnees.get("u") != str(utilisateur.uuid) or donnees.get("de") != utilisateur.email:
        raise Refus("Ce lien n'est pas valable ou a déjà servi.")
    return str(donnees["vers"])


@transaction.atomic
def email_changer(
    *, utilisateur: Utilisateur, jeton: str, request: HttpRequest | None = None
) -> str:
    """Switch to the confirmed address and tell the old one. Returns the new address."""
    nouvel_email = email_jeton_lire(utilisateur=utilisateur, jeton=jeton)
    if Utilisateur.objects.filter(email__iexact=nouvel_email).exclude(pk=utilisateur.pk).exists():
        raise Refus("Un autre compte utilise déjà cette adresse e-mail.")
    ancien = utilisateur.email
    utilisateur.email = nouvel_email
    utilisateur.save(update_fields=["email"])
    # allauth would still find the account under an address it recorded: only the new one counts
    EmailAddress.objects.filter(user=utilisateur).delete()
    _signaler(utilisateur, request, "email")
    transaction.on_commit(
        lambda: send_mail(
            subject="Espace Santé — l'adresse e-mail de votre compte a changé",
            message=render_to_string(
                "comptes/email_changement_ancienne.txt", {"site_url": settings.SITE_URL}
            ),
            from_email=None,
            recipient_list=[ancien],
        )
    )
    return nouvel_email
