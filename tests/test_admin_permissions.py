"""What operators may do with each model in the admin, even as superusers: rows made by the
portal's own processes are never created or deleted there, and some are never changed."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory

from aide.models import DemandeContact, QuestionFrequente
from dossier.models import LigneQuarantaine, SynchroRemboursements
from espace_sante.journal.models import Evenement
from professionnels.models import Habilitation, Professionnel, RevendicationRpps
from profil.models import Espace, ExportDonnees

# model: (add, change, delete) for a superuser
ATTENDU = {
    Evenement: (False, False, False),
    ExportDonnees: (False, False, False),
    Espace: (True, False, False),  # pre-creation by an operator with the right permission
    SynchroRemboursements: (False, True, False),
    Professionnel: (False, True, False),
    Habilitation: (True, True, False),  # a specialty's cells; deleted one by one, journaled
    RevendicationRpps: (False, False, False),  # read next to the account holding the RPPS
    LigneQuarantaine: (False, True, True),
    DemandeContact: (False, True, False),  # opened by a person; status and notes only
    QuestionFrequente: (True, True, True),  # the help centre's content, edited by operators
}


@pytest.mark.django_db
@pytest.mark.parametrize("modele", list(ATTENDU), ids=lambda m: m.__name__)
def test_admin_permissions_of_a_superuser(modele, django_user_model) -> None:  # type: ignore[no-untyped-def]
    requete = RequestFactory().get("/admin/")
    requete.user = django_user_model(is_superuser=True, is_staff=True, is_active=True)
    modele_admin = admin.site._registry[modele]
    assert (
        modele_admin.has_add_permission(requete),
        modele_admin.has_change_permission(requete),
        modele_admin.has_delete_permission(requete),
    ) == ATTENDU[modele]
