"""The carers' pages (docs/PROCHES.md, "Carers"): the holder invites, re-sends, cancels or ends
from their Proches page; the invited person answers on the invitation's page; the carer ends
from their own space's Proches page; both download the certificate."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from espace_sante.acces import AccesPatient, majeur_titulaire
from espace_sante.lib.erreurs import Refus
from espace_sante.lib.http import client_ip
from profil.models import Delegation

from . import aidants, certificat
from .forms_aidants import InvitationAidantForm
from .views import acces_gestion, page_proches

# Invitations sent or re-sent per account (django-ratelimit's rate syntax).
INVITATIONS_RATE = "10/h"


def _page(acces: AccesPatient) -> str:
    return reverse("proches:proches", args=[acces.espace.uuid]) + "#aidants"


def _trop_d_invitations(request: HttpRequest) -> bool:
    return bool(
        is_ratelimited(
            request,
            group="proches.aidants.invitation",
            key=lambda _g, r: str(r.user.uuid),
            rate=INVITATIONS_RATE,
            increment=True,
        )
    )


def _delegation(acces: AccesPatient, delegation_uuid: uuid.UUID) -> Delegation:
    """One of the two parties' delegation, seen from the space the request came from: the
    holder's (given), or the carer's (received, looked up by their own space); 404 otherwise."""
    delegation = aidants.delegation_du_titulaire(
        acces, delegation_uuid
    ) or aidants.delegation_de_l_aidant(acces, delegation_uuid)
    if delegation is None:
        raise Http404
    return delegation


@login_required
@require_POST
def inviter(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    acces = acces_gestion(request, espace_uuid)
    if not majeur_titulaire(acces):
        raise Http404
    form = InvitationAidantForm(request.POST)
    if form.is_valid():
        if _trop_d_invitations(request):
            form.add_error(
                None,
                _(
                    "Vous avez envoyé beaucoup d'invitations en peu de temps. Réessayez dans "
                    "une heure."
                ),
            )
        else:
            try:
                aidants.aidant_inviter(
                    acces=acces,
                    courriel=form.cleaned_data["courriel"],
                    perimetre=form.cleaned_data["perimetre"],
                    ecriture=form.cleaned_data["mode"] == "ecriture",
                    fin=form.cleaned_data["fin"],
                    ip=client_ip(request),
                )
            except Refus as refus:
                form.add_error(None, refus.message)
            else:
                messages.success(
                    request,
                    _(
                        "Invitation envoyée. Votre proche a 7 jours pour l'accepter depuis son "
                        "propre espace santé."
                    ),
                )
                return redirect(_page(acces))
    return page_proches(request, acces, form_aidant=form)


@login_required
@require_POST
def renvoyer(
    request: HttpRequest, espace_uuid: uuid.UUID, delegation_uuid: uuid.UUID
) -> HttpResponse:
    acces = acces_gestion(request, espace_uuid)
    delegation = aidants.delegation_du_titulaire(acces, delegation_uuid)
    if delegation is None or delegation.acceptee_le is not None:
        raise Http404
    if _trop_d_invitations(request):
        messages.error(
            request,
            _("Vous avez envoyé beaucoup d'invitations en peu de temps. Réessayez dans une heure."),
        )
        return redirect(_page(acces))
    try:
        aidants.invitation_renvoyer(acces=acces, delegation=delegation, ip=client_ip(request))
    except Refus as refus:
        messages.error(request, refus.message)
    else:
        messages.success(
            request,
            _("Invitation renvoyée. Le lien envoyé auparavant ne fonctionne plus."),
        )
    return redirect(_page(acces))


@login_required
@require_POST
def terminer(
    request: HttpRequest, espace_uuid: uuid.UUID, delegation_uuid: uuid.UUID
) -> HttpResponse:
    acces = acces_gestion(request, espace_uuid)
    delegation = _delegation(acces, delegation_uuid)
    en_attente = delegation.acceptee_le is None
    aidants.delegation_terminer(acces=acces, delegation=delegation, ip=client_ip(request))
    if en_attente:
        messages.success(request, _("Invitation annulée."))
    elif delegation.espace_id == acces.espace.pk:
        messages.success(
            request, _("C'est fait : cette personne n'a plus accès à votre espace santé.")
        )
    else:
        messages.success(request, _("C'est fait : vous n'êtes plus aidant de cette personne."))
    return redirect(_page(acces))


@login_required
def attestation(
    request: HttpRequest, espace_uuid: uuid.UUID, delegation_uuid: uuid.UUID
) -> HttpResponse:
    acces = acces_gestion(request, espace_uuid)
    delegation = _delegation(acces, delegation_uuid)
    if delegation.acceptee_le is None:
        raise Http404
    contenu = certificat.attestation_pdf(delegation)
    aidants.attestation_journaliser(acces=acces, delegation=delegation, ip=client_ip(request))
    reponse = HttpResponse(contenu, content_type="application/pdf")
    reponse["Content-Disposition"] = (
        f'attachment; filename="attestation-aidant-{delegation.uuid}.pdf"'
    )
    return reponse


@login_required
def invitation(request: HttpRequest, jeton: str) -> HttpResponse:
    """The invitation's page: who invites, for what; accept or decline. Any token that does not
    open a waiting invitation gets the same refusal, and nothing changes."""
    try:
        trouvee = aidants.invitation_trouver(jeton=jeton, utilisateur=request.user)  # type: ignore[arg-type]
    except Refus as refus:
        return render(
            request, "proches/aidants/invitation_refusee.html", {"refus": refus}, status=404
        )
    if request.method == "POST":
        reponse = request.POST.get("reponse")
        try:
            if reponse == "accepter":
                delegation = aidants.invitation_accepter(
                    jeton=jeton,
                    utilisateur=request.user,  # type: ignore[arg-type]
                    ip=client_ip(request),
                )
                messages.success(
                    request,
                    _(
                        "Vous êtes maintenant aidant de %(nom)s. Choisissez son espace dans "
                        "« Changer d'espace » pour agir pour elle ou lui."
                    )
                    % {"nom": delegation.espace.nom_complet},
                )
                return redirect(reverse("proches:proches", args=[trouvee.aidant.uuid]))
            if reponse == "decliner":
                aidants.invitation_decliner(
                    jeton=jeton,
                    utilisateur=request.user,  # type: ignore[arg-type]
                    ip=client_ip(request),
                )
                messages.info(request, _("Invitation refusée. Rien n'a été partagé."))
                return redirect(reverse("proches:proches", args=[trouvee.aidant.uuid]))
        except Refus as refus:
            return render(
                request, "proches/aidants/invitation_refusee.html", {"refus": refus}, status=404
            )
    return render(
        request,
        "proches/aidants/invitation.html",
        {
            "delegation": trouvee.delegation,
            "perimetre": aidants.EXPLICATIONS[trouvee.delegation.perimetre],
            "mode": aidants.libelle_mode(trouvee.delegation.ecriture),
        },
    )
