"""An insider with write access to the database cannot rewrite history undetected (issue 14,
point 6): chain heads sealed with a key the database does not hold, signed checkpoints kept in
the vault's storage, a digest the holder keeps, TRUNCATE refused (docs/JOURNAL.md)."""

from __future__ import annotations

import base64
import gzip
import json
import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError

from espace_sante.coffre import stockage as st
from espace_sante.journal import points
from espace_sante.journal.models import Action, ChaineJournal, Evenement
from espace_sante.journal.services import Acteur, calculer_hash, evenement_enregistrer
from espace_sante.lib.envkeys import KeySet

pytestmark = pytest.mark.django_db
TABLES = ("journal_evenement", "journal_chainejournal")


def _evenements(espace: uuid.UUID, nombre: int = 3) -> list[Evenement]:
    acteur = Acteur(type="titulaire", id="a", nom="Camille")
    return [
        evenement_enregistrer(action=Action.CONNEXION, acteur=acteur, espace_uuid=espace)
        for _ in range(nombre)
    ]


def _en_douce(*requetes: tuple[str, list[object]]) -> None:
    """Rewrite rows as an insider who owns the tables would: triggers off, raw SQL."""
    with connection.cursor() as curseur:
        if connection.vendor == "postgresql":
            for table in TABLES:
                curseur.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        for requete, parametres in requetes:
            curseur.execute(requete, parametres)
        if connection.vendor == "postgresql":
            for table in TABLES:
                curseur.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def _rembobiner(espace: uuid.UUID, rang: int, hash: str, sceau: str) -> None:
    _en_douce(
        ("DELETE FROM journal_evenement WHERE chaine = %s AND rang > %s", [str(espace), rang]),
        (
            "UPDATE journal_chainejournal SET dernier_rang = %s, dernier_hash = %s, sceau = %s "
            "WHERE cle = %s",
            [rang, hash, sceau, str(espace)],
        ),
    )


def _messages() -> list[str]:
    sortie, erreurs = StringIO(), StringIO()
    try:
        call_command("verify_journal", stdout=sortie, stderr=erreurs)
    except CommandError:
        return erreurs.getvalue().splitlines()
    assert "Journal intègre" in sortie.getvalue()
    return []


def _forger(evenements: list[Evenement], *, depuis: int) -> str:
    """Change one event and recompute every later hash and the head: the new head hash."""
    precedent = evenements[depuis - 1].hash if depuis else ""
    requetes: list[tuple[str, list[object]]] = []
    for position, ev in enumerate(evenements[depuis:]):
        if position == 0:
            ev.ip = "192.0.2.66"
        ev.hash_precedent = precedent
        ev.hash = precedent = calculer_hash(ev)
        requetes.append(
            (
                "UPDATE journal_evenement SET ip = %s, hash_precedent = %s, hash = %s "
                "WHERE id = %s",
                [ev.ip, ev.hash_precedent, ev.hash, ev.pk],
            )
        )
    requetes.append(
        (
            "UPDATE journal_chainejournal SET dernier_hash = %s WHERE cle = %s",
            [precedent, ev.chaine],
        )
    )
    _en_douce(*requetes)
    return precedent


def test_an_intact_journal_with_its_checkpoint_verifies() -> None:
    _evenements(uuid.uuid4())
    points.point_de_controle_ecrire()
    _evenements(uuid.uuid4())  # after the checkpoint: fine too
    assert _messages() == []


def test_a_tail_cut_with_the_head_rewound_to_a_copied_seal_is_caught_by_the_checkpoint() -> None:
    espace = uuid.uuid4()
    premier = _evenements(espace, 1)[0]
    ancienne_tete = ChaineJournal.objects.get(cle=str(espace))  # copied by the insider
    _evenements(espace, 2)
    points.point_de_controle_ecrire()
    _rembobiner(espace, 1, premier.hash, ancienne_tete.sceau)
    assert any("plus courte qu'au point de contrôle" in m for m in _messages())


def test_a_tail_cut_with_the_head_rewound_breaks_the_head_seal() -> None:
    espace = uuid.uuid4()
    evenements = _evenements(espace)
    sceau = ChaineJournal.objects.get(cle=str(espace)).sceau
    _rembobiner(espace, 2, evenements[1].hash, sceau)  # no checkpoint yet: the seal tells
    assert any("sceau de la tête invalide" in m for m in _messages())


def test_a_whole_chain_deleted_is_caught_by_the_checkpoint() -> None:
    garde, effacee = uuid.uuid4(), uuid.uuid4()
    _evenements(garde)
    _evenements(effacee)
    points.point_de_controle_ecrire()
    _en_douce(
        ("DELETE FROM journal_evenement WHERE chaine = %s", [str(effacee)]),
        ("DELETE FROM journal_chainejournal WHERE cle = %s", [str(effacee)]),
    )
    messages = _messages()
    assert len(messages) == 1 and str(effacee) in messages[0] and "chaîne absente" in messages[0]


def test_a_deleted_chain_stays_missing_in_every_later_checkpoint() -> None:
    effacee = uuid.uuid4()
    _evenements(effacee)
    points.point_de_controle_ecrire()
    _en_douce(
        ("DELETE FROM journal_evenement WHERE chaine = %s", [str(effacee)]),
        ("DELETE FROM journal_chainejournal WHERE cle = %s", [str(effacee)]),
    )
    _evenements(uuid.uuid4())
    points.point_de_controle_ecrire()  # the next checkpoint carries the lost chain forward
    assert any(str(effacee) in m and "chaîne absente" in m for m in _messages())


def test_both_tables_truncated_are_caught_by_the_checkpoint() -> None:
    espaces = [uuid.uuid4(), uuid.uuid4()]
    for espace in espaces:
        _evenements(espace)
    points.point_de_controle_ecrire()
    if connection.vendor == "postgresql":
        _en_douce(("TRUNCATE journal_evenement, journal_chainejournal", []))
    else:
        _en_douce(("DELETE FROM journal_evenement", []), ("DELETE FROM journal_chainejournal", []))
    messages = _messages()
    assert all(any(str(e) in m and "chaîne absente" in m for m in messages) for e in espaces)


def test_a_forged_event_with_every_later_hash_and_the_head_recomputed_breaks_the_seal() -> None:
    evenements = _evenements(uuid.uuid4(), 4)
    _forger(evenements, depuis=1)
    assert any("sceau de la tête invalide" in m for m in _messages())


def test_a_forgery_resealed_with_the_key_is_still_caught_by_the_checkpoint() -> None:
    """An insider holding the sealing key but not the storage rewrites only what came after
    the last checkpoint."""
    espace = uuid.uuid4()
    evenements = _evenements(espace, 4)
    points.point_de_controle_ecrire()
    nouveau = _forger(evenements, depuis=1)
    tete = ChaineJournal.objects.get(cle=str(espace))
    tete.sceau = points.sceaux().sceller_tete(chaine=str(espace), rang=4, hash=nouveau)
    tete.save(update_fields=["sceau"])
    assert any("différent du point de contrôle" in m for m in _messages())


def test_a_forged_checkpoint_is_reported_and_the_previous_one_is_used() -> None:
    espace = uuid.uuid4()
    _evenements(espace)
    points.point_de_controle_ecrire()
    faux = {"contenu": {"type": points.TYPE_POINT, "horodatage": "x", "chaines": {}}}
    faux |= {
        "cle": points.sceaux().active,
        "signature": base64.urlsafe_b64encode(b"0" * 64).decode(),
    }
    st.ecrire(
        points.PREFIXE + "99999999T000000000000Z-faux.json.gz",
        iter([gzip.compress(json.dumps(faux).encode())]),
    )
    _en_douce(
        ("DELETE FROM journal_chainejournal WHERE cle = %s", [str(espace)]),
        ("DELETE FROM journal_evenement WHERE chaine = %s", [str(espace)]),
    )
    messages = _messages()
    assert any("falsifié" in m for m in messages)
    assert any("chaîne absente" in m for m in messages)


def test_checkpoints_are_new_objects_never_rewritten(stockage: str) -> None:
    _evenements(uuid.uuid4())
    premier = points.point_de_controle_ecrire()
    _evenements(uuid.uuid4())
    second = points.point_de_controle_ecrire()
    assert premier != second and points.points_lister() == [premier, second]
    with st.ouvrir(second) as fichier:
        document = json.loads(gzip.decompress(fichier.read()))
    assert document["contenu"]["precedent"] == premier
    assert len(document["contenu"]["chaines"]) == 2
    assert _messages() == []


def test_checkpoints_are_locked_when_the_bucket_offers_object_lock(
    settings, serveur_s3: str
) -> None:  # type: ignore[no-untyped-def]
    import boto3

    seau = f"journal-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=serveur_s3,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    client.create_bucket(Bucket=seau, ObjectLockEnabledForBucket=True)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": seau,
                "endpoint_url": serveur_s3,
                "access_key": "test",
                "secret_key": "test",
                "region_name": "us-east-1",
                "addressing_style": "path",
                "default_acl": None,
                "file_overwrite": False,
            },
        },
    }
    settings.JOURNAL_POINT_RETENTION_DAYS = 30
    _evenements(uuid.uuid4())
    nom = points.point_de_controle_ecrire()
    entete = client.head_object(Bucket=seau, Key=nom)
    assert entete["ObjectLockMode"] == "COMPLIANCE"
    version = entete["VersionId"]
    with pytest.raises(Exception, match="AccessDenied"):
        client.delete_object(Bucket=seau, Key=nom, VersionId=version)
    assert _messages() == []


def test_rotation_seals_with_the_new_key_and_verifies_old_seals_while_loaded(settings) -> None:  # type: ignore[no-untyped-def]
    k1, k2 = b"\x01" * 32, b"\x02" * 32
    settings.JOURNAL_SEAL_KEYS = KeySet(keys={"k1": k1}, active="k1")
    ancien, neuf = uuid.uuid4(), uuid.uuid4()
    _evenements(ancien)
    settings.JOURNAL_SEAL_KEYS = KeySet(keys={"k1": k1, "k2": k2}, active="k2")
    _evenements(neuf)
    assert ChaineJournal.objects.get(cle=str(neuf)).sceau.startswith("k2:")
    assert _messages() == []
    settings.JOURNAL_SEAL_KEYS = KeySet(keys={"k2": k2}, active="k2")
    assert any("« k1 » non chargée" in m for m in _messages())
    settings.JOURNAL_SEAL_KEYS = KeySet(keys={"k1": k1, "k2": k2}, active="k2")
    sortie = StringIO()
    call_command("verify_journal", "--sceller", stdout=sortie)
    assert "1 tête(s) scellée(s), 0 refusée(s)" in sortie.getvalue()
    settings.JOURNAL_SEAL_KEYS = KeySet(keys={"k2": k2}, active="k2")  # k1 retired
    assert _messages() == []


def test_an_unsealed_head_is_reported_and_sealed_only_if_its_chain_is_intact() -> None:
    intacte, abimee = uuid.uuid4(), uuid.uuid4()
    _evenements(intacte)
    evenements = _evenements(abimee)
    _en_douce(("UPDATE journal_chainejournal SET sceau = ''", []))
    _en_douce(("UPDATE journal_evenement SET ip = '192.0.2.1' WHERE id = %s", [evenements[0].pk]))
    assert sum("non scellée" in m for m in _messages()) == 2
    sortie = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_journal", "--sceller", stdout=sortie, stderr=StringIO())
    assert "1 tête(s) scellée(s), 1 refusée(s)" in sortie.getvalue()
    assert ChaineJournal.objects.get(cle=str(abimee)).sceau == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
def test_postgresql_refuses_truncate_on_both_tables_and_deleting_heads() -> None:
    _evenements(uuid.uuid4())
    for requete in (
        "TRUNCATE journal_evenement",
        "TRUNCATE journal_chainejournal CASCADE",
        "DELETE FROM journal_chainejournal",
    ):
        with (
            pytest.raises(DatabaseError, match="ajout seul"),
            transaction.atomic(),
            connection.cursor() as curseur,
        ):
            curseur.execute("SET LOCAL espace_sante.vidage_de_test = 'off'")
            curseur.execute(requete)
    assert Evenement.objects.count() == 3 and ChaineJournal.objects.count() == 1
