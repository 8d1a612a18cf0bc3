"""The calendar feed (the subscription URL itself, without login: its token is the credential;
the settings page under the space), one appointment's ``.ics``, the recommended care "à
prévoir" and the prevention messages (issue 19, points 3–5)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.core import get_usage

from espace_sante.acces import AccesPatient, Rubrique, espace_pour_acteur
from espace_sante.lib.erreurs import Refus
from espace_sante.lib.http import ecrit, ratelimit_ip

from . import flux as flux_
from . import prevention, services_prevention
from .forms_prevention import FluxForm, SoinFaitForm
from .models import RendezVous

GROUPE_FLUX = "agenda.flux"
# Wrong tokens one address may present before every feed request from it answers 429.
TAUX_FLUX_PAR_DEFAUT = "20/h"


def _acces(request: HttpRequest, espace_uuid: uuid.UUID) -> AccesPatient:
    acces = espace_pour_acteur(
        utilisateur=request.user,  # type: ignore[arg-type]
        espace_uuid=espace_uuid,
        rubrique=Rubrique.AGENDA,
        ecriture=ecrit(request),
    )
    request.acces = acces  # type: ignore[attr-defined]
    return acces


def _taux_flux(group: str, request: HttpRequest) -> str:
    return str(getattr(settings, "AGENDA_FLUX_RATE", TAUX_FLUX_PAR_DEFAUT))


def _trop_d_echecs(request: HttpRequest, *, compter: bool) -> bool:
    """Whether this address has used up its wrong tokens (``compter``: one more counted)."""
    usage = get_usage(
        request, group=GROUPE_FLUX, key=ratelimit_ip, rate=_taux_flux, increment=compter
    )
    return usage is not None and usage["count"] >= usage["limit"]


# --- The feed ------------------------------------------------------------------------------------


@require_GET
def flux(request: HttpRequest, jeton: str) -> HttpResponse:
    """The subscription: the token finds the feed (404 otherwise). Wrong tokens are counted
    per address; past the limit every answer to that address is 429, right token or not (a
    guesser learns nothing more). Reading is not journaled (calendar applications poll every
    few minutes): docs/PREVENTION.md."""
    if _trop_d_echecs(request, compter=False):
        return HttpResponse(
            "Trop de requêtes : réessayez plus tard.", status=429, content_type="text/plain"
        )
    trouve = flux_.flux_par_jeton(jeton)
    if trouve is None:
        _trop_d_echecs(request, compter=True)
        raise Http404
    reponse = HttpResponse(flux_.ics_du_flux(trouve), content_type="text/calendar; charset=utf-8")
    reponse["Content-Disposition"] = 'inline; filename="agenda.ics"'
    reponse["Cache-Control"] = "private, no-store"
    reponse["Referrer-Policy"] = "no-referrer"
    reponse["X-Robots-Tag"] = "noindex, nofollow"
    return reponse


def _page_abonnement(
    request: HttpRequest, acces: AccesPatient, *, jeton: str | None = None, status: int = 200
) -> HttpResponse:
    actif = services_prevention.flux_actif(acces=acces)
    url = None
    if jeton:
        url = request.build_absolute_uri(reverse("agenda:flux", args=[jeton]))
    form = FluxForm(initial={"avec_details": actif.avec_details if actif else False})
    reponse = render(
        request,
        "agenda/prevention/abonnement.html",
        {
            "acces": acces,
            "ecriture": acces.peut_ecrire(Rubrique.AGENDA),
            "actif": actif,
            "url": url,
            "url_webcal": url.replace("https://", "webcal://", 1).replace("http://", "webcal://", 1)
            if url
            else None,
            "form": form,
        },
        status=status,
    )
    reponse["Cache-Control"] = "no-store"  # the answer may hold the new URL, shown once
    return reponse


@login_required
@require_GET
def abonnement(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    return _page_abonnement(request, _acces(request, espace_uuid))


@login_required
@require_POST
def abonnement_creer(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    """Create or regenerate (the old URL dies). The new URL is shown in this answer only: it
    is never kept, so it is not put in a redirect nor in the session."""
    acces = _acces(request, espace_uuid)
    form = FluxForm(request.POST)
    form.is_valid()
    jeton = services_prevention.flux_creer(
        acces=acces, avec_details=bool(form.cleaned_data.get("avec_details"))
    )
    messages.success(
        request,
        _(
            "Votre adresse d'abonnement est prête. Copiez-la maintenant : elle ne sera plus "
            "affichée. Toute adresse précédente ne fonctionne plus."
        ),
    )
    return _page_abonnement(request, acces, jeton=jeton)


@login_required
@require_POST
def abonnement_regler(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    acces = _acces(request, espace_uuid)
    form = FluxForm(request.POST)
    form.is_valid()
    try:
        services_prevention.flux_regler(
            acces=acces, avec_details=bool(form.cleaned_data.get("avec_details"))
        )
    except Refus as refus:
        messages.error(request, refus.message)
    else:
        messages.success(request, _("Votre réglage est enregistré, à la même adresse."))
    return redirect("agenda:abonnement", espace_uuid)


@login_required
@require_POST
def abonnement_revoquer(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    acces = _acces(request, espace_uuid)
    if services_prevention.flux_revoquer(acces=acces):
        messages.success(request, _("L'abonnement est supprimé : son adresse ne répond plus."))
    return redirect("agenda:abonnement", espace_uuid)


@login_required
@require_GET
def rdv_ics(request: HttpRequest, espace_uuid: uuid.UUID, rdv_uuid: uuid.UUID) -> HttpResponse:
    """One appointment of the space as ``.ics`` (another space's: 404). Without ``?details=1``
    it says "Rendez-vous" only, like the feed."""
    acces = _acces(request, espace_uuid)
    rdv = get_object_or_404(
        RendezVous.objects.select_related("professionnel__utilisateur"),
        espace=acces.espace,
        uuid=rdv_uuid,
    )
    avec_details = request.GET.get("details") == "1"
    reponse = HttpResponse(
        flux_.ics_du_rendez_vous(rdv, avec_details=avec_details),
        content_type="text/calendar; charset=utf-8",
    )
    reponse["Content-Disposition"] = 'attachment; filename="rendez-vous.ics"'
    return reponse


# --- Recommended care ----------------------------------------------------------------------------


@login_required
@require_GET
def a_prevoir(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    """Every item of the person: to plan (open or coming), then done or dismissed. Items whose
    window has passed without being done are not listed (a missed examination is not caught up
    by this page; a late vaccination keeps its catch-up window)."""
    acces = _acces(request, espace_uuid)
    aujourd_hui = timezone.localdate()
    soins = prevention.tous_les_soins(acces, aujourd_hui=aujourd_hui)
    a_faire = [s for s in soins if s.etat is None and s.au >= aujourd_hui]
    suivis = [s for s in soins if s.etat is not None]
    return render(
        request,
        "agenda/prevention/a_prevoir.html",
        {
            "acces": acces,
            "ecriture": acces.peut_ecrire(Rubrique.AGENDA),
            "a_faire": a_faire,
            "suivis": suivis,
            "aujourd_hui": aujourd_hui,
        },
    )


@login_required
def soin_fait(request: HttpRequest, espace_uuid: uuid.UUID, cle: str) -> HttpResponse:
    acces = _acces(request, espace_uuid)
    soin = prevention.soin_pour_acces(acces, cle)
    form = SoinFaitForm(request.POST or None, acces=acces)
    if request.method == "POST" and form.is_valid():
        try:
            services_prevention.soin_marquer_fait(
                acces=acces,
                soin=soin,
                document=form.cleaned_data.get("document"),
                rendez_vous=form.cleaned_data.get("rendez_vous"),
            )
        except Refus as refus:
            form.add_error(None, refus.message)
        else:
            messages.success(
                request, _("« %(soin)s » est noté comme fait.") % {"soin": soin.libelle}
            )
            return redirect("agenda:a_prevoir", espace_uuid)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "agenda/prevention/soin_fait.html",
        {"acces": acces, "soin": soin, "form": form},
        status=status,
    )


@login_required
@require_POST
def soin_ecarter(request: HttpRequest, espace_uuid: uuid.UUID, cle: str) -> HttpResponse:
    acces = _acces(request, espace_uuid)
    soin = prevention.soin_pour_acces(acces, cle)
    services_prevention.soin_ecarter(acces=acces, soin=soin)
    messages.success(request, _("« %(soin)s » est écarté.") % {"soin": soin.libelle})
    retour = "agenda:a_prevoir"
    if request.POST.get("retour") == "prevention":
        retour = "agenda:prevention"
    return redirect(retour, espace_uuid)


@login_required
@require_POST
def soin_retablir(request: HttpRequest, espace_uuid: uuid.UUID, cle: str) -> HttpResponse:
    acces = _acces(request, espace_uuid)
    soin = prevention.soin_pour_acces(acces, cle)
    services_prevention.soin_retablir(acces=acces, soin=soin)
    messages.success(request, _("« %(soin)s » est de nouveau à prévoir.") % {"soin": soin.libelle})
    return redirect("agenda:a_prevoir", espace_uuid)


# --- Prevention messages -------------------------------------------------------------------------


@login_required
@require_GET
def prevention_messages(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    acces = _acces(request, espace_uuid)
    refuses = prevention.themes_refuses(acces)
    return render(
        request,
        "agenda/prevention/prevention.html",
        {
            "acces": acces,
            "ecriture": acces.peut_ecrire(Rubrique.AGENDA),
            "messages_prevention": prevention.messages_prevention(acces),
            "themes": [
                {"cle": cle, "libelle": libelle, "refuse": cle in refuses}
                for cle, libelle in prevention.THEMES.items()
            ],
            "horizon": prevention.horizon_jours(),
        },
    )


@login_required
@require_POST
def prevention_theme(
    request: HttpRequest, espace_uuid: uuid.UUID, theme: str, choix: str
) -> HttpResponse:
    acces = _acces(request, espace_uuid)
    libelle = prevention.THEMES.get(theme)
    if libelle is None or choix not in ("refuser", "accepter"):
        raise Http404
    if choix == "refuser":
        services_prevention.prevention_refuser(acces=acces, theme=theme)
        messages.success(
            request, _("Vous ne recevrez plus de messages « %(theme)s ».") % {"theme": libelle}
        )
    else:
        services_prevention.prevention_accepter(acces=acces, theme=theme)
        messages.success(
            request, _("Vous recevrez de nouveau les messages « %(theme)s ».") % {"theme": libelle}
        )
    return redirect("agenda:prevention", espace_uuid)
