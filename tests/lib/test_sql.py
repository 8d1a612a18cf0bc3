"""The hand-built SQL shortcuts (espace_sante/lib/sql.py) read the same rows as the querysets
they stand for, value for value and type for type, on whichever database runs the tests
(SQLite by default, PostgreSQL with DATABASE_URL): the access lookup (which spaces a person may
act for, with one-to-one relations read along) and the ingestion job's first read."""

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
from profil.models import Espace, Representation, Statut, limite_naissance_mineur

from ..factories import EspaceFactory, RepresentationFactory, UtilisateurFactory, document

pytestmark = pytest.mark.django_db

AVEC = [(), ("reglages_dossier", "version_documents"), ("synchro_remboursements",)]


def _espaces_orm(utilisateur: Utilisateur, avec: tuple[str, ...]) -> QuerySet[Espace]:
    """The rule of ``espace_sante.acces.espaces`` through the ORM: the person's own space
    (active or closed), and the minors they represent today (representation running, their
    own space active, the minor's space pre-created or active)."""
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
    return {
        "parent": parent.titulaire,
        "cloture": EspaceFactory(statut=Statut.CLOTURE).titulaire,
        "cree": EspaceFactory(statut=Statut.CREE).titulaire,
        "parent_pas_encore_actif": pas_encore_actif.titulaire,
        "sans_espace": UtilisateurFactory(),
    }


@pytest.mark.parametrize("avec", AVEC, ids=lambda avec: "+".join(avec) or "seul")
def test_the_access_lookup_reads_the_rows_its_queryset_reads(
    personnes: dict[str, Utilisateur], avec: tuple[str, ...], django_assert_num_queries: Any
) -> None:
    vus = 0
    for qui, utilisateur in personnes.items():
        with django_assert_num_queries(1):
            bruts = [a.espace for a in acces_espaces._acces_possibles(utilisateur, avec)]
        attendus = list(_espaces_orm(utilisateur, avec))
        assert [e.pk for e in bruts] == [e.pk for e in attendus], qui
        for brut, attendu in zip(bruts, attendus, strict=True):
            _memes_valeurs(brut, attendu)
            for nom in avec:
                with django_assert_num_queries(0):  # read along, as select_related does
                    lu = _associe(brut, nom)
                orm = _associe(attendu, nom)
                assert (lu is None) is (orm is None), (qui, nom)
                if orm is not None:
                    _memes_valeurs(lu, orm)
                    assert lu.espace is brut  # the reverse side is cached too
        vus += len(bruts)
    assert vus == 4  # the parent's space, two minors, the closed space


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
