from __future__ import annotations

import threading
import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError

from espace_sante.journal.models import (
    Action,
    ChaineJournal,
    Evenement,
    JournalImmuable,
    choix_des_actions,
)
from espace_sante.journal.services import (
    Acteur,
    calculer_hash,
    evenement_enregistrer,
    journal_verifier,
)

pytestmark = pytest.mark.django_db
TRIGGER = "journal_evenement_immuable"


def _trois_evenements(espace_uuid: uuid.UUID) -> list[Evenement]:
    acteur = Acteur(type="titulaire", id="a", nom="Camille")
    return [
        evenement_enregistrer(action=action, acteur=acteur, espace_uuid=espace_uuid, ip="10.0.0.1")
        for action in (Action.CONNEXION, Action.BASCULE_ESPACE, Action.DECONNEXION)
    ]


def _sql(requete: str, *params: object) -> None:
    """Tamper with rows behind the application's back (as a database user could)."""
    with connection.cursor() as curseur:
        if connection.vendor == "postgresql":
            curseur.execute(f"ALTER TABLE journal_evenement DISABLE TRIGGER {TRIGGER}")
        curseur.execute(requete, params)
        if connection.vendor == "postgresql":
            curseur.execute(f"ALTER TABLE journal_evenement ENABLE TRIGGER {TRIGGER}")


def test_events_are_chained_per_space() -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    premiers = _trois_evenements(a)
    autre = _trois_evenements(b)
    assert [e.rang for e in premiers] == [1, 2, 3]
    assert [e.rang for e in autre] == [1, 2, 3]
    assert premiers[0].hash_precedent == ""
    assert premiers[1].hash_precedent == premiers[0].hash
    assert all(calculer_hash(e) == e.hash for e in premiers + autre)
    assert ChaineJournal.objects.get(cle=str(a)).dernier_hash == premiers[2].hash
    assert list(journal_verifier()) == []


def test_the_application_refuses_to_update_or_delete_an_event() -> None:
    evenement = _trois_evenements(uuid.uuid4())[0]
    evenement.acteur_nom = "Quelqu'un d'autre"
    with pytest.raises(JournalImmuable):
        evenement.save()
    with pytest.raises(JournalImmuable):
        evenement.delete()
    with pytest.raises(JournalImmuable):
        Evenement.objects.filter(pk=evenement.pk).update(acteur_nom="x")
    with pytest.raises(JournalImmuable):
        Evenement.objects.all().delete()
    assert Evenement.objects.get(pk=evenement.pk).acteur_nom == "Camille"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
def test_postgresql_refuses_update_and_delete_even_in_raw_sql() -> None:
    evenement = _trois_evenements(uuid.uuid4())[0]
    for requete in (
        "UPDATE journal_evenement SET acteur_nom = 'x' WHERE id = %s",
        "DELETE FROM journal_evenement WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="ajout seul"), transaction.atomic():
            connection.cursor().execute(requete, [evenement.pk])
    assert Evenement.objects.get(pk=evenement.pk).acteur_nom == "Camille"


def test_verify_detects_an_altered_event() -> None:
    espace = uuid.uuid4()
    evenements = _trois_evenements(espace)
    _sql("UPDATE journal_evenement SET ip = %s WHERE id = %s", "192.0.2.9", evenements[1].pk)
    anomalies = list(journal_verifier())
    assert [(a.rang, "modifié" in a.message) for a in anomalies] == [(2, True)]


def test_verify_detects_an_altered_detail_even_with_a_recomputed_hash() -> None:
    evenements = _trois_evenements(uuid.uuid4())
    cible = evenements[0]
    cible.details = {"motif": "falsifié"}
    _sql(
        "UPDATE journal_evenement SET details = %s, hash = %s WHERE id = %s",
        '{"motif": "falsifié"}',
        calculer_hash(cible),
        cible.pk,
    )
    anomalies = list(journal_verifier())
    assert anomalies and anomalies[0].rang == 2
    assert "rompu" in anomalies[0].message


def test_verify_detects_a_removed_event() -> None:
    evenements = _trois_evenements(uuid.uuid4())
    _sql("DELETE FROM journal_evenement WHERE id = %s", evenements[1].pk)
    messages = [a.message for a in journal_verifier()]
    assert any("supprimé" in m for m in messages)


def test_verify_detects_a_removed_last_event() -> None:
    evenements = _trois_evenements(uuid.uuid4())
    _sql("DELETE FROM journal_evenement WHERE id = %s", evenements[2].pk)
    messages = [a.message for a in journal_verifier()]
    assert messages == ["fin de chaîne absente (événements supprimés)"]


def test_verify_detects_reordered_events() -> None:
    evenements = _trois_evenements(uuid.uuid4())
    premier, second = evenements[0], evenements[1]
    _sql("UPDATE journal_evenement SET rang = 1000 WHERE id = %s", premier.pk)
    _sql("UPDATE journal_evenement SET rang = 1 WHERE id = %s", second.pk)
    _sql("UPDATE journal_evenement SET rang = 2 WHERE id = %s", premier.pk)
    assert list(journal_verifier())


def test_verify_journal_command_reports_and_fails() -> None:
    evenements = _trois_evenements(uuid.uuid4())
    sortie = StringIO()
    call_command("verify_journal", stdout=sortie)
    assert "Journal intègre : 3 événements" in sortie.getvalue()
    _sql("UPDATE journal_evenement SET action = 'connexion' WHERE id = %s", evenements[2].pk)
    erreurs = StringIO()
    with pytest.raises(CommandError, match="1 anomalie"):
        call_command("verify_journal", stderr=erreurs)
    assert "rang 3" in erreurs.getvalue()


def test_details_must_be_serialisable() -> None:
    with pytest.raises(TypeError):
        evenement_enregistrer(
            action=Action.CONNEXION, acteur=Acteur.systeme(), details={"objet": object()}
        )
    assert not Evenement.objects.exists()


def test_the_returned_event_is_the_stored_one() -> None:
    evenement = evenement_enregistrer(
        action=Action.CONNEXION,
        acteur=Acteur(type="titulaire", id="a", nom="Camille"),
        compte_uuid=uuid.uuid4(),
        ip="2001:db8::1",
        details={"méthode": "mot de passe", "niveau": 2},
    )
    stocke = Evenement.objects.get(pk=evenement.pk)
    assert (stocke.uuid, stocke.rang, stocke.hash, stocke.horodatage) == (
        evenement.uuid,
        1,
        evenement.hash,
        evenement.horodatage,
    )
    assert calculer_hash(stocke) == stocke.hash
    assert stocke.details == {"méthode": "mot de passe", "niveau": 2}
    assert stocke.ip == "2001:db8::1"


def test_an_append_rolls_back_with_the_change_it_records() -> None:
    espace = uuid.uuid4()
    premier = _trois_evenements(espace)[0]
    with pytest.raises(RuntimeError), transaction.atomic():
        evenement_enregistrer(action=Action.CONNEXION, acteur=Acteur.systeme(), espace_uuid=espace)
        raise RuntimeError("the change fails after its event")
    assert ChaineJournal.objects.get(cle=str(espace)).dernier_rang == 3
    suivant = evenement_enregistrer(
        action=Action.DECONNEXION, acteur=Acteur.systeme(), espace_uuid=espace
    )
    assert suivant.rang == 4 and premier.chaine == suivant.chaine
    assert list(journal_verifier()) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_to_one_chain_stay_chained() -> None:
    espace, autre = uuid.uuid4(), uuid.uuid4()
    depart = threading.Barrier(6)
    erreurs: list[BaseException] = []

    def ajouter(numero: int) -> None:
        try:
            depart.wait()
            for rang in range(15):
                with transaction.atomic():  # a change and its event, as services do
                    evenement_enregistrer(
                        action=Action.DOCUMENT_CONSULTE,
                        acteur=Acteur(type="professionnel", id=str(numero), nom=f"Dr {numero}"),
                        espace_uuid=espace if rang % 3 else autre,
                        objet_id=f"{numero}-{rang}",
                    )
        except BaseException as erreur:  # reported below
            erreurs.append(erreur)
        finally:
            connection.close()

    fils = [threading.Thread(target=ajouter, args=(numero,)) for numero in range(6)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join()
    assert erreurs == []
    rangs = list(
        Evenement.objects.filter(chaine=str(espace)).order_by("rang").values_list("rang", flat=True)
    )
    assert rangs == list(range(1, 61))
    assert ChaineJournal.objects.get(cle=str(autre)).dernier_rang == 30
    assert list(journal_verifier()) == []


def test_an_append_in_a_transaction_takes_two_statements_on_postgresql(
    django_assert_num_queries,
) -> None:  # type: ignore[no-untyped-def]
    espace = uuid.uuid4()
    evenement_enregistrer(action=Action.CONNEXION, acteur=Acteur.systeme(), espace_uuid=espace)
    # PostgreSQL: take the next number (head locked), then insert and move the head; elsewhere:
    # create the head if need be, lock and read it, insert, update it. No savepoint either way.
    with (
        transaction.atomic(),
        django_assert_num_queries(2 if connection.vendor == "postgresql" else 4),
    ):
        evenement_enregistrer(
            action=Action.DECONNEXION, acteur=Acteur.systeme(), espace_uuid=espace
        )
    assert list(journal_verifier()) == []


# --- The actions: the enum holds them, not the migrations ----------------------------------------


def test_a_new_action_needs_no_migration() -> None:
    """The column's choices are a function: a migration records its name, never the list, so
    that adding a member to ``Action`` leaves every migration state as it is."""
    champ = Evenement._meta.get_field("action")
    _nom, chemin, _args, options = champ.deconstruct()

    assert chemin == "django.db.models.CharField"
    assert options["choices"] is choix_des_actions
    assert champ.max_length is not None
    assert max(len(valeur) for valeur in Action.values) <= champ.max_length


def test_every_action_keeps_its_label() -> None:
    evenement = evenement_enregistrer(
        action=Action.BASCULE_ESPACE, acteur=Acteur.systeme(), espace_uuid=uuid.uuid4()
    )

    assert evenement.get_action_display() == "Changement d'espace"
    assert dict(Evenement._meta.get_field("action").flatchoices) == dict(Action.choices)


def test_an_unknown_action_is_refused_before_anything_is_written() -> None:
    espace = uuid.uuid4()

    with pytest.raises(ValueError):
        evenement_enregistrer(action="action_inconnue", acteur=Acteur.systeme(), espace_uuid=espace)
    assert not Evenement.objects.filter(espace_uuid=espace).exists()
    assert not ChaineJournal.objects.filter(cle=str(espace)).exists()
