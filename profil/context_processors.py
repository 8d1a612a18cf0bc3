from __future__ import annotations

import uuid
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language, gettext_lazy

from espace_sante.acces import AccesPatient, Rubrique, espaces_accessibles

# The menu of a space: (URL name, label, what makes it the current page: the view's URL name,
# or its application for a whole section, and the part of the space it belongs to — a carer's
# menu shows only the parts their perimeter opens).
NAVIGATION = (
    ("ensemble:espace", gettext_lazy("Accueil"), "url_name", "espace", Rubrique.ACCUEIL),
    ("dossier:documents", gettext_lazy("Documents"), "app_name", "dossier", Rubrique.DOCUMENTS),
    ("messagerie:boite", gettext_lazy("Messagerie"), "app_name", "messagerie", Rubrique.MESSAGERIE),
    ("agenda:liste", gettext_lazy("Agenda"), "app_name", "agenda", Rubrique.AGENDA),
    (
        "profil:profil_medical",
        gettext_lazy("Profil médical"),
        "url_name",
        "profil_medical",
        Rubrique.PROFIL,
    ),
    (
        "dossier:resultats:liste",
        gettext_lazy("Résultats"),
        "app_name",
        "dossier:resultats",
        Rubrique.DOCUMENTS,
    ),
    (
        "dossier:remboursements",
        gettext_lazy("Remboursements"),
        "url_name",
        "remboursements",
        Rubrique.DOCUMENTS,
    ),
    (
        "professionnels:liste",
        gettext_lazy("Professionnels"),
        "app_name",
        "professionnels",
        Rubrique.GESTION,
    ),
    ("proches:proches", gettext_lazy("Proches"), "app_name", "proches", Rubrique.GESTION),
    (
        "ensemble:historique",
        gettext_lazy("Historique d’activité"),
        "url_name",
        "historique",
        Rubrique.HISTORIQUE,
    ),
    ("profil:parametres", gettext_lazy("Paramètres"), "url_name", "parametres", Rubrique.GESTION),
)


# What a closed space's menu keeps: the pages its holder still reads (espace_pour_lecture).
LISIBLES_CLOS = frozenset(
    {
        "ensemble:espace",
        "dossier:documents",
        "messagerie:boite",
        "profil:profil_medical",
        "ensemble:historique",
    }
)


@lru_cache(maxsize=1024)
def _urls(espace_uuid: uuid.UUID, prefixe: str, urlconf: str) -> tuple[str, ...]:
    """The menu's addresses for a space: the same on every page (reversing them cost about
    60 µs each, on every page of a space)."""
    return tuple(reverse(nom, urlconf=urlconf, args=[espace_uuid]) for nom, *_reste in NAVIGATION)


@lru_cache(maxsize=16)
def _libelles(langue: str | None) -> tuple[str, ...]:
    """The menu's labels in the active language (``langue``, the cache's key)."""
    return tuple(str(libelle) for _nom, libelle, *_reste in NAVIGATION)


def navigation_espace(request: HttpRequest, acces: AccesPatient) -> list[dict[str, Any]]:
    """The menu of the space ``acces`` acts for, the current page marked; for a closed space,
    only the pages still readable."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    urls = _urls(acces.espace.uuid, get_script_prefix(), urlconf)
    libelles = _libelles(get_language())
    vue = getattr(request, "resolver_match", None)
    ouvert = acces.espace.ouvert
    return [
        {
            "nom": nom,
            "url": url,
            "libelle": libelle,
            "courant": vue is not None and getattr(vue, critere) == valeur,
        }
        for url, libelle, (nom, _libelle, critere, valeur, rubrique) in zip(
            urls, libelles, NAVIGATION, strict=True
        )
        if (ouvert or nom in LISIBLES_CLOS) and acces.peut_lire(rubrique)
    ]


def espace_courant(request: HttpRequest) -> dict[str, Any]:
    """The space the page acts for (set by the view after its access check) and its menu, and
    the spaces the person may switch to: read by that same check, else lazily (nothing for a
    page that does not show them)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    acces = getattr(request, "acces", None)
    possibles = getattr(acces, "possibles", None)
    return {
        "acces_courant": acces,
        "navigation_espace": navigation_espace(request, acces) if acces is not None else [],
        "acces_possibles": (
            possibles
            if possibles is not None
            else SimpleLazyObject(lambda: espaces_accessibles(utilisateur=user))
        ),
    }
