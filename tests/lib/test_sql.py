"""The hand-built SQL shortcuts (espace_sante/lib/sql.py) read the same rows as the querysets
they stand for, value for value and type for type, on whichever database runs the tests
(SQLite by default, PostgreSQL with DATABASE_URL): the access lookup (which spaces a person may
act for — as holder, representative, carer, tutor or curator, with the carer's perimeter and
writing and the proche's sex — with one-to-one relations read along) and the ingestion job's
first read."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from dossier.models import Document, ReglagesDossier, SynchroRemboursements
from dossier.models import Statut as StatutDocument
from espace_sante.acces import espaces as acces_espaces
from espace_sante.coffre.models import Blob
from espace_sante.comptes.models import Utilisateur
from espace_sante.lib import sql
from profil.models import (
    Delegation,
    Espace,
    MesureProtection,
    Perimetre,
    Representation,
    Statut,
    TypeProtection,
    limite_naissance_mineur,
)

from ..factories import (
    DelegationFactory,
    EspaceFactory,
    MesureProtectionFactory,
    RepresentationFactory,
    UtilisateurFactory,
    document,
)

pytestmark = pytest.mark.django_db

AVEC = [(), ("reglages_dossier", "version_documents"), ("synchro_remboursements",)]


def _espaces_orm(utilisateur: Utilisateur, avec: tuple[str, ...]) -> QuerySet[Espace]:
    """The holder's and representative's part of ``espace_sante.acces.espaces`` through the
    ORM: the person's own space (active or closed), and the minors they represent today
    (representation running, their own space active, the minor's space pre-created or
    active)."""
    representes = Representation.objects.filter(
        fin__isnull=True, representant__titulaire=utilisateur, representant__statut=Statut.ACTIF
    ).values("espace_id")
    return (
        Espace.objects.filter(
            Q(titulaire=utilisateur, statut__in=[Statut.ACTIF, Statut.CLOTURE])
            | Q(
                pk__in=representes,
                date_naissance__gt=limite_naissance_mineur(timezone.localdate()),
                statut__in=[Statut.CREE, Statut.ACTIF],
            )
        )
        .select_related(*avec)
        .order_by("date_naissance", "id")
    )


# Who wins when a person reaches one space in two ways (docs/PROCHES.md: the stronger link).
FORCE = ["aidant", "curateur", "tuteur", "representant", "titulaire"]


def _acces_orm(utilisateur: Utilisateur, avec: tuple[str, ...]) -> list[tuple[Espace, tuple]]:  # type: ignore[type-arg]
    """The whole rule through the ORM: each space with (role, perimeter, writing, the proche's
    sex) — the holder and representatives as ``_espaces_orm``; a carer's accepted delegation,
    neither revoked nor past its end date, on an active space, their own space active; a
    tutelle in force over an adult's pre-created or active space, or a curatelle in force the
    protected person accepted and did not refuse over an active one, the person in charge's own
    space active. One space reached twice: the stronger way (``FORCE``)."""
    aujourd_hui = timezone.localdate()
    majorite = limite_naissance_mineur(aujourd_hui)
    lignes: list[tuple[int, tuple]] = []  # type: ignore[type-arg]
    for espace in _espaces_orm(utilisateur, ()):
        role = "titulaire" if espace.titulaire_id == utilisateur.pk else "representant"
        lignes.append((espace.pk, (role, None, True, "")))
    delegations = Delegation.objects.filter(
        Q(fin__isnull=True) | Q(fin__gte=aujourd_hui),
        aidant__titulaire=utilisateur,
        aidant__statut=Statut.ACTIF,
        acceptee_le__isnull=False,
        revoquee_le__isnull=True,
        espace__statut=Statut.ACTIF,
    ).values_list("espace_id", "perimetre", "ecriture", "aidant__sexe")
    for espace_id, perimetre, ecriture, sexe in delegations:
        lignes.append((espace_id, ("aidant", perimetre, ecriture, sexe)))
    mesures = MesureProtection.objects.filter(
        Q(fin__isnull=True) | Q(fin__gte=aujourd_hui),
        Q(type=TypeProtection.TUTELLE, espace__statut__in=[Statut.CREE, Statut.ACTIF])
        | Q(
            type=TypeProtection.CURATELLE,
            acceptee_le__isnull=False,
            refusee_le__isnull=True,
            espace__statut=Statut.ACTIF,
        ),
        responsable__titulaire=utilisateur,
        responsable__statut=Statut.ACTIF,
        debut__lte=aujourd_hui,
        espace__date_naissance__lte=majorite,
    ).values_list("espace_id", "type", "responsable__sexe")
    for espace_id, type_, sexe in mesures:
        if type_ == TypeProtection.TUTELLE:
            lignes.append((espace_id, ("tuteur", None, True, sexe)))
        else:
            lignes.append((espace_id, ("curateur", "tout", True, sexe)))
    espaces = Espace.objects.select_related(*avec).in_bulk([pk for pk, _ in lignes])
    par_espace: dict[int, tuple] = {}  # type: ignore[type-arg]
    for pk, comme in sorted(lignes, key=lambda ligne: (espaces[ligne[0]].date_naissance, ligne[0])):
        deja = par_espace.get(pk)
        if deja is None or FORCE.index(comme[0]) > FORCE.index(deja[0]):
            par_espace[pk] = comme
    return [(espaces[pk], comme) for pk, comme in par_espace.items()]


def _memes_valeurs(brut: Model, orm: Model) -> None:
    assert type(brut) is type(orm)
    for champ in type(orm)._meta.concrete_fields:
        lu, attendu = getattr(brut, champ.attname), getattr(orm, champ.attname)
        assert (lu, type(lu)) == (attendu, type(attendu)), champ.attname


def _associe(objet: Model, nom: str) -> Any:
    try:
        return getattr(objet, nom)
    except Exception:  # the relation's DoesNotExist: no row
        return None


@pytest.fixture
def personnes() -> dict[str, Utilisateur]:
    """A parent whose own space is active, representing minors in every situation; a holder
    whose space is closed; one whose space is only pre-created; a parent whose own space is
    not active yet."""
    parent = EspaceFactory()
    enfants = {
        "cree": EspaceFactory(titulaire=None, date_naissance=date(2016, 2, 3), statut=Statut.CREE),
        "actif": EspaceFactory(titulaire=None, date_naissance=date(2012, 7, 8)),
        "cloture": EspaceFactory(
            titulaire=None, date_naissance=date(2014, 1, 1), statut=Statut.CLOTURE
        ),
        "majeur": EspaceFactory(titulaire=None, date_naissance=date(2000, 1, 1)),
        "fin": EspaceFactory(titulaire=None, date_naissance=date(2013, 3, 3)),
    }
    for nom, enfant in enfants.items():
        RepresentationFactory(
            espace=enfant,
            representant=parent,
            fin=timezone.localdate() - timedelta(days=1) if nom == "fin" else None,
        )
    actif = enfants["actif"]
    ReglagesDossier.objects.create(espace=actif, tout_masque=True)
    SynchroRemboursements.objects.create(espace=actif, curseur="c-42", lignes_recues=3)
    document(actif)  # the database's triggers write its VersionDocuments row
    document(parent)
    pas_encore_actif = EspaceFactory(statut=Statut.CREE)
    RepresentationFactory(espace=actif, representant=pas_encore_actif)
    # A carer (a man: "aidant"), helping in every situation; a tutor and curator likewise.
    hier, demain = timezone.localdate() - timedelta(days=1), timezone.localdate() + timedelta(1)
    aidant = EspaceFactory(sexe="M")
    for champs in (
        {"perimetre": Perimetre.TOUT, "ecriture": True},
        {"perimetre": Perimetre.DOCUMENTS},
        {"perimetre": Perimetre.AGENDA, "fin": timezone.localdate()},  # its last day
        {"perimetre": Perimetre.PROFIL, "fin": hier},
        {"revoquee_le": timezone.now()},
        {"acceptee_le": None},
        {"espace": EspaceFactory(statut=Statut.CLOTURE)},
        {"espace": EspaceFactory(statut=Statut.CREE)},
    ):
        DelegationFactory(aidant=aidant, **champs)
    tuteur = EspaceFactory(sexe="F")
    curatelle = {"type": TypeProtection.CURATELLE}
    for champs in (
        {},
        {"espace": EspaceFactory(titulaire=None, statut=Statut.CREE)},
        {"espace": EspaceFactory(statut=Statut.CLOTURE)},
        {"espace": EspaceFactory(titulaire=None, date_naissance=date(2015, 5, 5))},  # a minor
        {"fin": hier},
        {"debut": demain},
        {**curatelle, "acceptee_le": timezone.now()},
        {**curatelle},
        {**curatelle, "acceptee_le": timezone.now(), "refusee_le": timezone.now()},
        {**curatelle, "acceptee_le": timezone.now(), "fin": hier},
        {**curatelle, "acceptee_le": timezone.now(), "espace": EspaceFactory(statut=Statut.CREE)},
    ):
        MesureProtectionFactory(responsable=tuteur, **champs)
    # Two ways into one space: the tutor is also its carer (the tutelle wins); the carer
    # helps the parent too.
    sous_tutelle = MesureProtectionFactory(responsable=tuteur).espace
    DelegationFactory(espace=sous_tutelle, aidant=tuteur, perimetre=Perimetre.DOCUMENTS)
    DelegationFactory(espace=parent, aidant=aidant)
    aidant_clos = EspaceFactory(statut=Statut.CLOTURE)
    DelegationFactory(aidant=aidant_clos)
    return {
        "parent": parent.titulaire,
        "cloture": EspaceFactory(statut=Statut.CLOTURE).titulaire,
        "cree": EspaceFactory(statut=Statut.CREE).titulaire,
        "parent_pas_encore_actif": pas_encore_actif.titulaire,
        "sans_espace": UtilisateurFactory(),
        "aidant": aidant.titulaire,
        "tuteur": tuteur.titulaire,
        "aidant_dont_l_espace_est_clos": aidant_clos.titulaire,
    }


@pytest.mark.parametrize("avec", AVEC, ids=lambda avec: "+".join(avec) or "seul")
def test_the_access_lookup_reads_the_rows_its_queryset_reads(
    personnes: dict[str, Utilisateur], avec: tuple[str, ...], django_assert_num_queries: Any
) -> None:
    vus = 0
    for qui, utilisateur in personnes.items():
        with django_assert_num_queries(1):
            acces = acces_espaces._acces_possibles(utilisateur, avec)
        attendus = _acces_orm(utilisateur, avec)
        assert [a.espace.pk for a in acces] == [e.pk for e, _ in attendus], qui
        for lu, (attendu, comme) in zip(acces, attendus, strict=True):
            brut = lu.espace
            assert (lu.role, lu.perimetre, lu.ecriture, lu.sexe) == comme, (qui, brut.pk)
            _memes_valeurs(brut, attendu)
            for nom in avec:
                with django_assert_num_queries(0):  # read along, as select_related does
                    associe = _associe(brut, nom)
                orm = _associe(attendu, nom)
                assert (associe is None) is (orm is None), (qui, nom)
                if orm is not None:
                    _memes_valeurs(associe, orm)
                    assert associe.espace is brut  # the reverse side is cached too
        vus += len(acces)
    # The parent's space, two minors, the closed space; the carer's own space, the full,
    # documents, last-day delegations and the parent's space; the tutor's own space, the
    # tutelles over a pre-created and an active space, the accepted curatelle, the space under
    # tutelle they also help; the closed space of a carer (as its holder only).
    assert vus == 4 + 5 + 5 + 1


def test_the_orm_rule_itself_reads_as_the_access_package_says(
    personnes: dict[str, Utilisateur],
) -> None:
    """The table above, by hand: what the ORM rule (and so the SQL) gives the carer and the
    tutor — role, perimeter, writing and sex — so that the comparison compares something."""
    comme = {
        qui: sorted(c for _e, c in _acces_orm(personnes[qui], ())) for qui in ("aidant", "tuteur")
    }
    assert comme["aidant"] == sorted(
        [
            ("aidant", "agenda", False, "M"),
            ("aidant", "documents", False, "M"),
            ("aidant", "tout", False, "M"),
            ("aidant", "tout", True, "M"),
            ("titulaire", None, True, ""),
        ]
    )
    assert comme["tuteur"] == sorted(
        [("curateur", "tout", True, "F"), ("titulaire", None, True, "")]
        + [("tuteur", None, True, "F")] * 3
    )
    assert _acces_orm(personnes["aidant_dont_l_espace_est_clos"], ())[0][1][0] == "titulaire"
    assert len(_acces_orm(personnes["aidant_dont_l_espace_est_clos"], ())) == 1


def test_the_ingestion_read_reads_the_row_its_queryset_reads() -> None:
    from dossier.ingestion import _LUS, _prendre

    espace = EspaceFactory()
    ancien = document(espace, statut=StatutDocument.EN_TRAITEMENT, invisible_representants=True)
    document_lu = _prendre(ancien.pk)
    assert document_lu is not None
    attendu = Document.objects.select_related("espace", "blob").get(pk=ancien.pk)
    lus = {
        Document: (document_lu, attendu),
        Espace: (document_lu.espace, attendu.espace),
        Blob: (document_lu.blob, attendu.blob),
    }
    for _alias, modele, noms in _LUS:
        brut, orm = lus[modele]
        for champ in modele._meta.concrete_fields:
            if champ.name in noms:
                valeur, attendue = getattr(brut, champ.attname), getattr(orm, champ.attname)
                assert (valeur, type(valeur)) == (attendue, type(attendue)), champ.name
            else:
                assert champ.attname in brut.get_deferred_fields()


def test_a_reading_is_built_once_per_connection_and_model() -> None:
    connexion = sql.connexion_de_lecture(Espace)
    une = sql.lecture(Espace, connexion=connexion, alias="e")
    assert sql.lecture(Espace, connexion=connexion, alias="e") is une
    assert sql.lecture(Espace, connexion=connexion, alias="e", noms=("id",)).largeur == 1


def test_a_relation_that_is_not_one_to_one_is_refused() -> None:
    with pytest.raises(TypeError):
        sql.relation_un_a_un(Espace, "representants")
