"""The second parent's pages: inviting the other legal representative from a child's space,
cancelling the invitation, and the invitee's page behind the e-mailed link
(docs/PROCHES.md, "The second parent"). Access decisions are the access package's
(``acces_gestion``); the rules of the invitation are ``proches.parents``'."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from espace_sante.comptes.models import Utilisateur
from espace_sante.lib.erreurs import Refus
from espace_sante.lib.http import client_ip

from . import parents
from .forms_parents import InvitationParentForm, PreuveForm
from .views import acces_gestion


def _cle_compte(group: str, request: HttpRequest) -> str:
    return "compte:" + str(getattr(request.user, "email", "")).lower()


def _taux(group: str, request: HttpRequest) -> str:
    return str(getattr(settings, "PROCHES_INVITATION_RATE_LIMIT", "10/h"))


@login_required
@ratelimit(key=_cle_compte, rate=_taux, method="POST", block=True)
def inviter(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    """The invitation form (also shown on the Proches page); a refusal is shown here."""
    acces = acces_gestion(request, espace_uuid)
    form = InvitationParentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            parents.representant_inviter(
                acces=acces,
                courriel=form.cleaned_data["courriel"],
                lien=form.cleaned_data["lien"],
                ip=client_ip(request),
            )
        except Refus as refus:
            form.add_error(None, refus.message)
        else:
            messages.success(
                request,
                _(
                    "L'invitation est envoyée. L'autre représentant a 7 jours pour l'accepter "
                    "depuis son propre Espace Santé."
                ),
            )
            return redirect("proches:proches", espace_uuid=acces.espace.uuid)
    return render(
        request,
        "proches/parents/inviter.html",
        {"acces": acces, "form": form, "parents": parents.resume(acces)},
    )


@login_required
@require_POST
def annuler(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    """Cancel the child's waiting invitation (its id in the form: one of this child's only)."""
    acces = acces_gestion(request, espace_uuid)
    try:
        invitation = parents.invitation_de_l_espace(acces, request.POST.get("invitation", ""))
        parents.invitation_annuler(acces=acces, invitation=invitation, ip=client_ip(request))
    except Refus as refus:
        messages.error(request, refus.message)
    else:
        messages.success(request, _("L'invitation est annulée : son lien ne fonctionne plus."))
    return redirect("proches:proches", espace_uuid=acces.espace.uuid)


@login_required
def invitation(request: HttpRequest, jeton: str) -> HttpResponse:
    """The invitee's page: who invites and for which child only once the account's address
    and own space are checked; then the child's birth date, and the acceptance."""
    utilisateur: Utilisateur = request.user  # type: ignore[assignment]
    try:
        trouvee = parents.invitation_trouver(jeton=jeton, utilisateur=utilisateur)
    except Refus as refus:
        return render(request, "proches/parents/invitation_refusee.html", {"refus": refus})
    form = PreuveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            representation = parents.invitation_accepter(
                jeton=jeton,
                utilisateur=utilisateur,
                date_naissance=form.cleaned_data["date_naissance"],
                ip=client_ip(request),
            )
        except Refus as refus:
            if refus.code in {"date"}:
                form.add_error("date_naissance", refus.message)
            else:
                return render(request, "proches/parents/invitation_refusee.html", {"refus": refus})
        else:
            messages.success(
                request,
                _(
                    "Vous représentez maintenant %(nom)s. Choisissez son espace dans « Changer "
                    "d'espace »."
                )
                % {"nom": representation.espace.nom_complet},
            )
            return redirect("profil:espaces")
    return render(
        request,
        "proches/parents/invitation.html",
        {"invitation": trouvee.invitation, "form": form},
    )
