"""The access package's ground for proches (issue 21): which spaces a carer, a tutor and a
curator reach through ``espace_pour_acteur``, as what, and which parts of them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from espace_sante.acces import Role, Rubrique, espace_pour_acteur, espaces_accessibles
from profil.models import Perimetre, Statut, TypeProtection

from ..factories import DelegationFactory, EspaceFactory, MesureProtectionFactory

pytestmark = pytest.mark.django_db


def _acces(espace, utilisateur, rubrique=Rubrique.ACCUEIL, ecriture=False):  # type: ignore[no-untyped-def]
    return espace_pour_acteur(
        utilisateur=utilisateur, espace_uuid=espace.uuid, rubrique=rubrique, ecriture=ecriture
    )


def test_a_read_only_documents_carer_reads_documents_and_nothing_else() -> None:
    d = DelegationFactory(perimetre=Perimetre.DOCUMENTS, ecriture=False)
    carer = d.aidant.titulaire
    acces = _acces(d.espace, carer, Rubrique.DOCUMENTS)
    assert acces.role == Role.AIDANT and acces.est_aidant and not acces.est_representant
    assert acces.acteur.nom.endswith(", aidante")
    with pytest.raises(Http404):
        _acces(d.espace, carer, Rubrique.DOCUMENTS, ecriture=True)
    for rubrique in (Rubrique.PROFIL, Rubrique.AGENDA, Rubrique.MESSAGERIE, Rubrique.GESTION):
        with pytest.raises(Http404):
            _acces(d.espace, carer, rubrique)
    assert _acces(d.espace, carer).espace == d.espace  # the home


def test_a_full_carer_who_writes_reaches_every_part_but_the_management() -> None:
    d = DelegationFactory(perimetre=Perimetre.TOUT, ecriture=True)
    carer = d.aidant.titulaire
    for rubrique in (Rubrique.DOCUMENTS, Rubrique.PROFIL, Rubrique.AGENDA, Rubrique.MESSAGERIE):
        assert _acces(d.espace, carer, rubrique, ecriture=True).ecriture
    with pytest.raises(Http404):
        _acces(d.espace, carer, Rubrique.GESTION)


@pytest.mark.parametrize(
    "changement",
    [
        {"revoquee_le": timezone.now()},
        {"acceptee_le": None},
        {"fin": timezone.localdate() - timedelta(days=1)},
    ],
    ids=["revoquee", "pas_acceptee", "echue"],
)
def test_a_revoked_pending_or_ended_delegation_opens_nothing(changement) -> None:  # type: ignore[no-untyped-def]
    d = DelegationFactory(**changement)
    with pytest.raises(Http404):
        _acces(d.espace, d.aidant.titulaire)
    assert [a.espace for a in espaces_accessibles(utilisateur=d.aidant.titulaire)] == [d.aidant]


def test_a_delegation_ends_on_its_last_day_not_before() -> None:
    d = DelegationFactory(fin=timezone.localdate())
    assert _acces(d.espace, d.aidant.titulaire).role == Role.AIDANT


def test_a_carer_reaches_neither_a_closed_space_nor_one_while_their_own_is_closed() -> None:
    d = DelegationFactory()
    d.espace.statut = Statut.CLOTURE
    d.espace.save()
    with pytest.raises(Http404):
        _acces(d.espace, d.aidant.titulaire)
    d2 = DelegationFactory()
    d2.aidant.statut = Statut.CLOTURE
    d2.aidant.save()
    with pytest.raises(Http404):
        _acces(d2.espace, d2.aidant.titulaire)


def test_a_tutor_has_the_representatives_rights_on_an_adult_space() -> None:
    m = MesureProtectionFactory()
    tuteur = m.responsable.titulaire
    acces = _acces(m.espace, tuteur, Rubrique.GESTION, ecriture=True)
    assert acces.role == Role.TUTEUR and acces.est_representant and acces.peut_regler_visibilite
    assert acces.acteur.nom.endswith(", tutrice")


def test_a_tutelle_not_yet_begun_or_ended_gives_nothing() -> None:
    aujourd_hui = timezone.localdate()
    for champs in (
        {"debut": aujourd_hui + timedelta(days=1)},
        {"fin": aujourd_hui - timedelta(days=1)},
    ):
        m = MesureProtectionFactory(**champs)
        with pytest.raises(Http404):
            _acces(m.espace, m.responsable.titulaire)


def test_a_curator_reaches_the_space_only_once_the_protected_person_accepted() -> None:
    m = MesureProtectionFactory(type=TypeProtection.CURATELLE)
    curateur = m.responsable.titulaire
    with pytest.raises(Http404):
        _acces(m.espace, curateur)
    m.acceptee_le = timezone.now()
    m.save()
    acces = _acces(m.espace, curateur, Rubrique.PROFIL, ecriture=True)
    assert acces.role == Role.CURATEUR and acces.est_aidant
    with pytest.raises(Http404):
        _acces(m.espace, curateur, Rubrique.GESTION)
    m.refusee_le = timezone.now()
    m.save()
    with pytest.raises(Http404):
        _acces(m.espace, curateur)


def test_the_stronger_way_in_wins_when_a_person_has_two() -> None:
    m = MesureProtectionFactory()
    DelegationFactory(espace=m.espace, aidant=m.responsable, perimetre=Perimetre.DOCUMENTS)
    assert _acces(m.espace, m.responsable.titulaire, Rubrique.GESTION).role == Role.TUTEUR


def test_the_switcher_lists_the_spaces_a_carer_helps() -> None:
    aidant = EspaceFactory(prenoms="Marie")
    aides = [DelegationFactory(aidant=aidant).espace for _ in range(2)]
    possibles = espaces_accessibles(utilisateur=aidant.titulaire)
    assert {a.espace.pk for a in possibles} == {aidant.pk, *(e.pk for e in aides)}
