"""The list pages' summary (category counts, folders) is cached, keyed on a token the
database's triggers renew at every write to the space's documents (dossier/declencheurs.py):
whatever writes a document, the next page counts it; the cache holds ciphertext only."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dossier import declencheurs
from dossier.apps import _declencheurs
from dossier.models import Document, Statut, VersionDocuments
from dossier.selectors import _sommaire_calcule, _version_documents, sommaire_documents
from espace_sante.acces import AccesPatient, Role, espace_pour_acteur
from espace_sante.coffre.champs import dechiffrer_texte
from espace_sante.coffre.cles import CleIndisponible
from profil.models import Espace

from ..factories import EspaceFactory, document

pytestmark = pytest.mark.django_db


def _jeton(espace: Espace) -> str:
    return _version_documents(Espace.objects.get(pk=espace.pk))


def _acces(espace: Espace, utilisateur=None):  # type: ignore[no-untyped-def]
    return espace_pour_acteur(utilisateur=utilisateur or espace.titulaire, espace_uuid=espace.uuid)


def _cle(espace: Espace, lecteur: str = "titulaire") -> str:
    """The cache key of the space's summary for this reader, under its current token."""
    return f"dossier:sommaire:{espace.uuid}:{lecteur}:{_jeton(espace)}"


def _entree(espace: Espace, lecteur: str = "titulaire") -> str | None:
    return cache.get(_cle(espace, lecteur))


def test_the_triggers_are_installed_on_this_database() -> None:
    assert declencheurs.installes(connection) == set(declencheurs.NOMS)


ECRITURES = {
    "create": lambda d: document(d.espace, titre="Nouveau"),
    "save": lambda d: (setattr(d, "categorie", "imagerie"), d.save()),
    "save(update_fields)": lambda d: (
        setattr(d, "statut", Statut.ARCHIVE),
        d.save(update_fields=["statut"]),
    ),
    "queryset update": lambda d: Document.objects.filter(pk=d.pk).update(
        supprime_le=timezone.now()
    ),
    "bulk_update": lambda d: (
        setattr(d, "invisible_patient", True),
        Document.objects.bulk_update([d], ["invisible_patient"]),
    ),
    "delete": lambda d: (d.apercus.all().delete(), d.delete()),
    "queryset delete": lambda d: Document.objects.filter(pk=d.pk).delete(),
    "SQL": lambda d: connection.cursor().execute(
        "UPDATE dossier_document SET dossier_empreinte = %s WHERE id = %s", ["x", d.pk]
    ),
}


@pytest.mark.parametrize("ecriture", ECRITURES)
def test_every_way_of_writing_a_document_renews_its_space_s_token(
    titulaire: Espace, autre_titulaire: Espace, ecriture: str
) -> None:
    doc = document(titulaire)
    document(autre_titulaire)
    avant, voisin = _jeton(titulaire), _jeton(autre_titulaire)
    assert avant and voisin
    ECRITURES[ecriture](doc)
    assert _jeton(titulaire) not in ("", avant)
    assert _jeton(autre_titulaire) == voisin  # another space's summary stays cached


def test_moving_a_document_renews_both_spaces(titulaire: Espace, autre_titulaire: Espace) -> None:
    doc = document(titulaire)
    document(autre_titulaire)
    avant, voisin = _jeton(titulaire), _jeton(autre_titulaire)
    Document.objects.filter(pk=doc.pk).update(espace=autre_titulaire)
    assert _jeton(titulaire) != avant and _jeton(autre_titulaire) != voisin


def test_a_bulk_insert_renews_every_space_it_touched(
    titulaire: Espace, autre_titulaire: Espace
) -> None:
    modele = document(titulaire)
    avant = _jeton(titulaire)
    copies = []
    for espace in (titulaire, autre_titulaire, titulaire):
        copie = Document.objects.get(pk=modele.pk)
        copie.pk, copie.uuid, copie.blob, copie.espace = None, uuid.uuid4(), None, espace
        copies.append(copie)
    Document.objects.bulk_create(copies)
    assert _jeton(titulaire) != avant and _jeton(autre_titulaire)


def test_the_summary_is_the_computed_one_after_each_write(titulaire: Espace) -> None:
    """Read (and cache) after every step: the cached answer is always the fresh one."""
    acces = _acces(titulaire)
    etapes = [
        lambda: document(titulaire, dossier_utilisateur="Genou"),
        lambda: document(titulaire, type_code="18748-4", dossier_utilisateur="Genou"),
        lambda: Document.objects.filter(espace=titulaire).update(categorie="imagerie"),
        lambda: document(titulaire, dossier_utilisateur="Dents"),
        lambda: (
            Document.objects.filter(espace=titulaire, dossier_empreinte="")
            .exclude(statut=Statut.ARCHIVE)
            .update(statut=Statut.ARCHIVE)
        ),
        lambda: Document.objects.filter(espace=titulaire).first().delete(),  # type: ignore[union-attr]
        lambda: Document.objects.filter(espace=titulaire).update(
            supprime_le=timezone.now() - timedelta(days=1)
        ),
    ]
    for etape in etapes:
        sommaire_documents(acces=acces)  # cached under the token before the write
        etape()
        acces = _acces(titulaire)
        assert sommaire_documents(acces=acces) == _sommaire_calcule(acces=acces)
        assert sommaire_documents(acces=acces) == _sommaire_calcule(acces=acces)  # from cache


def test_the_page_counts_a_document_written_behind_its_back(
    titulaire: Espace, client_titulaire: Client
) -> None:
    url = reverse("dossier:documents", args=[titulaire.uuid])
    document(titulaire, dossier_utilisateur="Genou")
    assert "Biologie (1)" in client_titulaire.get(url).content.decode()
    assert _entree(titulaire)  # the summary went to the cache
    autre = Document.objects.get(espace=titulaire)
    autre.pk, autre.uuid, autre.blob = None, uuid.uuid4(), None
    Document.objects.bulk_create([autre])  # no save(), no signal
    page = client_titulaire.get(url).content.decode()
    assert "Biologie (2)" in page
    Document.objects.filter(espace=titulaire).update(dossier_utilisateur="", dossier_empreinte="")
    assert "Genou" not in client_titulaire.get(url).content.decode()


def test_the_cache_holds_no_plaintext_and_is_bound_to_its_space(
    titulaire: Espace, autre_titulaire: Espace, client_titulaire: Client
) -> None:
    document(titulaire, dossier_utilisateur="Suivi psychiatrique")
    client_titulaire.get(reverse("dossier:documents", args=[titulaire.uuid]))
    chiffre = _entree(titulaire)
    assert isinstance(chiffre, str) and "psychiatrique" not in chiffre
    assert "biologie" not in chiffre
    propre = f"dossier.sommaire|{titulaire.uuid}|titulaire"
    assert "Suivi psychiatrique" in dechiffrer_texte(chiffre, etiquette=propre)
    for etranger in (
        f"dossier.sommaire|{autre_titulaire.uuid}|titulaire",
        f"dossier.sommaire|{titulaire.uuid}|representant",
    ):
        with pytest.raises(CleIndisponible):
            dechiffrer_texte(chiffre, etiquette=etranger)


def test_an_entry_that_cannot_be_read_is_computed_again(
    titulaire: Espace, client_titulaire: Client
) -> None:
    url = reverse("dossier:documents", args=[titulaire.uuid])
    document(titulaire)
    client_titulaire.get(url)
    assert _entree(titulaire)
    cache.set(_cle(titulaire), "es1$retiree$AAAA")  # a retired key, or garbage
    assert "Biologie (1)" in client_titulaire.get(url).content.decode()


def test_the_holder_and_a_representative_have_their_own_entries(
    representant: Espace, enfant_represente: Espace
) -> None:
    document(enfant_represente)
    document(enfant_represente, invisible_representants=True, titre="Secret")
    parent = _acces(enfant_represente, representant.titulaire)
    du_mineur = AccesPatient(
        espace=parent.espace, role=Role.TITULAIRE, utilisateur=parent.utilisateur
    )
    assert sum(n for _c, n in sommaire_documents(acces=du_mineur).comptes) == 2
    assert sum(n for _c, n in sommaire_documents(acces=parent).comptes) == 1
    assert sum(n for _c, n in sommaire_documents(acces=du_mineur).comptes) == 2
    assert _entree(enfant_represente, "titulaire") and _entree(enfant_represente, "representant")


def test_a_rolled_back_write_never_hands_its_token_on(titulaire: Espace) -> None:
    """A summary read inside a transaction that rolls back is keyed on a token nobody else
    will ever see: the next write draws another one."""
    document(titulaire)
    avant = _jeton(titulaire)
    with transaction.atomic():
        document(titulaire, titre="Annulé")
        annule = _jeton(titulaire)
        assert sum(n for _c, n in sommaire_documents(acces=_acces(titulaire)).comptes) == 2
        transaction.set_rollback(True)
    assert _jeton(titulaire) == avant
    document(titulaire, titre="Autre")
    assert _jeton(titulaire) not in (avant, annule)


def test_a_space_never_written_is_not_cached(titulaire: Espace) -> None:
    assert _jeton(titulaire) == ""
    assert sum(n for _c, n in sommaire_documents(acces=_acces(titulaire)).comptes) == 0
    assert _entree(titulaire) is None


def test_the_application_never_writes_a_token(titulaire: Espace) -> None:
    with pytest.raises(TypeError):
        VersionDocuments(espace=titulaire, jeton="choisi").save()


def test_a_deleted_space_leaves_no_token() -> None:
    espace = EspaceFactory()
    document(espace)
    assert VersionDocuments.objects.filter(espace_id=espace.pk).exists()
    pk = espace.pk
    espace.delete()
    assert not VersionDocuments.objects.filter(espace_id=pk).exists()


def test_migrate_puts_back_triggers_a_table_rebuild_dropped(titulaire: Espace) -> None:
    declencheurs.retirer(connection)
    assert declencheurs.installes(connection) == set()
    _declencheurs(sender=None, using=connection.alias)
    assert declencheurs.installes(connection) == set(declencheurs.NOMS)
    doc = document(titulaire)
    avant = _jeton(titulaire)
    doc.delete()
    assert _jeton(titulaire) != avant
