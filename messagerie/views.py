"""The messagerie's entry from an e-mail (``/messagerie/``): the notification names no space
and no thread, so this finds the reader's inbox — the space they were acting for, else their
own, else a professional's inbox."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from espace_sante.acces import espaces_accessibles

SESSION_ESPACE = "espace_courant"  # the space a person acts for (profil.views keeps it)


@login_required
def aller(request: HttpRequest) -> HttpResponse:
    acces = espaces_accessibles(utilisateur=request.user)  # type: ignore[arg-type]
    courant = request.session.get(SESSION_ESPACE)
    choisi = next((a for a in acces if str(a.espace.uuid) == courant), None) or next(
        (a for a in acces if a.est_titulaire), None
    )
    if choisi is None and len(acces) == 1:
        choisi = acces[0]
    if choisi is not None:
        return redirect(reverse("messagerie:boite", args=[choisi.espace.uuid]))
    if hasattr(request.user, "professionnel"):
        return redirect(reverse("messagerie:pro_boite"))
    return redirect(reverse("profil:espaces"))
