"""The professional's "Mes logiciels" page (register, revoke), and the OAuth authorization
page where they let their software act for them."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from oauth2_provider.models import Application
from oauth2_provider.views import AuthorizationView

from espace_sante.acces import professionnel_actif
from espace_sante.lib.erreurs import Refus
from espace_sante.lib.http import client_ip
from professionnels.models import Professionnel
from professionnels.selectors import professionnel_de

from . import services
from .forms import LogicielForm
from .models import Logiciel


def _professionnel(request: HttpRequest) -> Professionnel:
    """The logged-in professional (any state: the page explains), or 404 for anyone else."""
    professionnel = professionnel_de(request.user)
    if professionnel is None:
        raise Http404
    request.professionnel = professionnel  # type: ignore[attr-defined]
    return professionnel


@login_required
def logiciels(request: HttpRequest) -> HttpResponse:
    professionnel = _professionnel(request)
    actif = professionnel_actif(professionnel)
    form = LogicielForm(request.POST or None) if actif else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                logiciel = services.logiciel_enregistrer(
                    professionnel=professionnel,
                    nom=form.cleaned_data["nom"],
                    adresse_retour=form.cleaned_data["adresse_retour"],
                    ip=client_ip(request),
                )
            except Refus as refus:
                form.add_error(None, refus.message)
            else:
                messages.success(
                    request,
                    _("Logiciel « %(nom)s » enregistré : donnez-lui son identifiant client.")
                    % {"nom": logiciel.nom},
                )
                return redirect("interop:logiciels")
    return render(
        request,
        "interop/logiciels.html",
        {
            "professionnel": professionnel,
            "actif": actif,
            "form": form,
            "logiciels": professionnel.logiciels.select_related("application"),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def revoquer(request: HttpRequest, logiciel_uuid: uuid.UUID) -> HttpResponse:
    professionnel = _professionnel(request)
    logiciel = Logiciel.objects.filter(uuid=logiciel_uuid, professionnel=professionnel).first()
    if logiciel is None:
        raise Http404
    services.logiciel_revoquer(logiciel=logiciel, ip=client_ip(request))
    messages.success(
        request,
        _("Le logiciel « %(nom)s » n'a plus accès : ses jetons sont révoqués.")
        % {"nom": logiciel.nom},
    )
    return redirect("interop:logiciels")


class Autorisation(AuthorizationView):
    """django-oauth-toolkit's authorization endpoint, for a logged-in professional (the
    second-factor middleware has run): only a verified, active professional, only for their
    own registered software, only with PKCE S256. Anyone else gets a page that says why."""

    template_name = "interop/autoriser.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)  # to the login page, then back
        professionnel = professionnel_de(request.user)
        raison = ""
        if professionnel is None or not professionnel_actif(professionnel):
            raison = _(
                "Seul un professionnel de santé dont le compte est vérifié peut autoriser un "
                "logiciel."
            )
        else:
            request.professionnel = professionnel  # type: ignore[attr-defined]
            client_id = request.POST.get("client_id") or request.GET.get("client_id", "")
            application = (
                Application.objects.filter(client_id=client_id).select_related("logiciel").first()
            )
            logiciel = getattr(application, "logiciel", None) if application else None
            if (
                logiciel is None
                or not logiciel.actif
                or logiciel.professionnel_id != professionnel.pk
            ):
                raison = _(
                    "Ce logiciel n'est pas enregistré dans votre espace professionnel (page « Mes "
                    "logiciels »), ou son accès a été révoqué."
                )
            elif (request.POST if request.method == "POST" else request.GET).get(
                "code_challenge_method"
            ) != "S256":
                raison = _("Le logiciel doit utiliser PKCE avec la méthode S256 : demande refusée.")
        if raison:
            return render(
                request, "interop/autorisation_refusee.html", {"raison": raison}, status=403
            )
        return super().dispatch(request, *args, **kwargs)
