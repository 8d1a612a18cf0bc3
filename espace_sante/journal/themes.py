"""The history's filter, in the person's words: a handful of themes, each a set of journal
actions (the journal keeps its operator-level actions; the page groups them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Action


@dataclass(frozen=True)
class Theme:
    cle: str
    libelle: str | Promise
    actions: frozenset[str]


def _prefixes(*debuts: str) -> frozenset[str]:
    return frozenset(a.value for a in Action if a.value.startswith(debuts))


THEMES: tuple[Theme, ...] = (
    Theme(
        "documents",
        _("Documents"),
        _prefixes(
            "document_", "dossier_", "fichier_", "import_dmp", "remboursements_", "resultats_"
        ),
    ),
    Theme("profil", _("Profil médical"), _prefixes("profil_", "soin_", "prevention_")),
    Theme(
        "professionnels",
        _("Accès des professionnels"),
        _prefixes("acces_", "pro_", "medecin_traitant", "reglages_acces", "logiciel_"),
    ),
    Theme("urgences", _("Urgences"), _prefixes("urgence_")),
    Theme(
        "messagerie",
        _("Messagerie"),
        _prefixes("message_", "piece_jointe", "fil_"),
    ),
    Theme("agenda", _("Agenda"), _prefixes("rdv_", "rappel_", "flux_")),
    Theme("proches", _("Proches"), _prefixes("proche_", "protection_", "representation_")),
    Theme(
        "compte",
        _("Compte et sécurité"),
        _prefixes(
            "connexion",
            "deconnexion",
            "mfa_",
            "activation",
            "code_emis",
            "cloture",
            "reouverture",
            "suppression_",
            "bascule_espace",
            "notification",
            "export_",
            "opposition",
            "precreation",
            "deces",
            "suspension",
            "purge",
        ),
    ),
)
_PAR_CLE = {theme.cle: theme for theme in THEMES}


def choix_des_themes() -> Sequence[tuple[str, str | Promise]]:
    return [(theme.cle, theme.libelle) for theme in THEMES]


def actions_du_theme(cle: str) -> frozenset[str] | None:
    """The actions of a theme, or ``None`` for no theme (every action)."""
    theme = _PAR_CLE.get(cle)
    return theme.actions if theme else None
