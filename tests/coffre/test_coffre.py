"""The vault through Django storage, on the filesystem and on S3: round trips, ranges,
integrity failures, interrupted writes, orphan collection, verification and key rotation."""

from __future__ import annotations

import base64
import hashlib
import os
import uuid
from collections.abc import Iterator
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from espace_sante.coffre import services
from espace_sante.coffre import stockage as st
from espace_sante.coffre.cles import Trousseau
from espace_sante.coffre.format import EN_PARALLELE, Dechiffreur
from espace_sante.coffre.models import Blob
from espace_sante.lib.envkeys import KeySet

from .conftest import objets_stockes, remplacer_objet

pytestmark = pytest.mark.django_db
SEGMENT = 64 * 1024


@pytest.fixture(autouse=True)
def _petits_segments(settings):  # type: ignore[no-untyped-def]
    settings.VAULT_SEGMENT_SIZE = SEGMENT


def _morceaux(donnees: bytes, taille: int = 50_000) -> Iterator[bytes]:
    for i in range(0, len(donnees), taille):
        yield donnees[i : i + taille]


def _ecrire(donnees: bytes, media_type: str = "application/pdf") -> Blob:
    return services.blob_ecrire(source=_morceaux(donnees), media_type=media_type)


@pytest.mark.parametrize("taille", [0, 1, SEGMENT, 5 * SEGMENT + 17])
def test_round_trip_is_byte_identical(stockage: str, taille: int) -> None:
    donnees = os.urandom(taille)
    blob = _ecrire(donnees)
    assert blob.taille == taille and blob.sha256 == services.empreinte_blob(
        hashlib.sha256(donnees).hexdigest()
    )
    assert b"".join(services.blob_lire(blob)) == donnees
    assert b"".join(services.blob_lire(blob, verifier_empreinte=True)) == donnees
    objets = objets_stockes()
    assert list(objets) == [blob.nom] and len(objets[blob.nom]) == blob.taille_chiffree


def test_a_file_read_into_two_alternating_buffers_round_trips(
    stockage: str, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """Large segments are hashed and encrypted by the vault's threads straight from the
    reader's buffers: these must not be reused before both threads are done with them."""
    settings.VAULT_SEGMENT_SIZE = EN_PARALLELE
    donnees = os.urandom(5 * EN_PARALLELE + 17)
    chemin = tmp_path / "clair.bin"
    chemin.write_bytes(donnees)
    with open(chemin, "rb") as fichier:
        morceaux = services.morceaux_de(fichier, EN_PARALLELE)
        blob = services.blob_ecrire(source=morceaux, media_type="application/pdf")
    assert blob.sha256 == services.empreinte_blob(hashlib.sha256(donnees).hexdigest())
    assert b"".join(services.blob_lire(blob, verifier_empreinte=True)) == donnees


def test_large_segments_encrypted_by_the_vault_threads_round_trip(stockage: str, settings) -> None:  # type: ignore[no-untyped-def]
    settings.VAULT_SEGMENT_SIZE = 2 * EN_PARALLELE
    donnees = os.urandom(5 * EN_PARALLELE + 17)
    blob = services.blob_ecrire_octets(donnees, media_type="application/pdf")
    assert blob.sha256 == services.empreinte_blob(hashlib.sha256(donnees).hexdigest())
    assert b"".join(services.blob_lire(blob, verifier_empreinte=True)) == donnees
    debut = 2 * EN_PARALLELE - 3
    assert b"".join(services.blob_plage(blob, debut, debut + 9)) == donnees[debut : debut + 10]


def test_a_reader_that_stops_early_leaves_the_next_read_intact(stockage: str, settings) -> None:  # type: ignore[no-untyped-def]
    """With large segments the next one is read ahead by another thread: stopping after the
    first must wait for that read before the buffers are reused."""
    settings.VAULT_SEGMENT_SIZE = EN_PARALLELE
    donnees = os.urandom(4 * EN_PARALLELE)
    blob = services.blob_ecrire_octets(donnees, media_type="application/pdf")
    for _ in range(3):
        lecture = services.blob_lire(blob)
        assert next(lecture) == donnees[:EN_PARALLELE]
        lecture.close()
    assert b"".join(services.blob_lire(blob, verifier_empreinte=True)) == donnees


@pytest.mark.parametrize("stockage", ["fichiers"], indirect=True)  # S3 pulls with read(n)
def test_a_storage_failure_midway_leaves_the_buffers_to_no_one(
    stockage: str, settings, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The storage gives up while the vault's threads still encrypt: nothing is kept, and the
    next blob (which reuses the buffers) is intact."""
    settings.VAULT_SEGMENT_SIZE = 2 * EN_PARALLELE
    original = st.FichierSortant.chunks

    def casse(self, chunk_size=None):  # type: ignore[no-untyped-def]
        morceaux = original(self, chunk_size)
        yield next(morceaux)
        yield next(morceaux)
        raise OSError("disque plein")

    monkeypatch.setattr(st.FichierSortant, "chunks", casse)
    with pytest.raises(OSError, match="disque plein"):
        services.blob_ecrire_octets(os.urandom(4 * EN_PARALLELE), media_type="text/plain")
    assert not Blob.objects.exists() and objets_stockes() == {}
    monkeypatch.setattr(st.FichierSortant, "chunks", original)
    donnees = os.urandom(4 * EN_PARALLELE)
    blob = services.blob_ecrire_octets(donnees, media_type="text/plain")
    assert b"".join(services.blob_lire(blob, verifier_empreinte=True)) == donnees


def test_storing_does_not_ask_the_storage_whether_the_random_name_is_free(
    stockage: str, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    def interdit(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("one more round trip to the storage per blob")

    monkeypatch.setattr(type(st.stockage()), "exists", interdit)
    monkeypatch.setattr(type(st.stockage()), "get_available_name", interdit)
    donnees = os.urandom(SEGMENT + 1)
    assert b"".join(services.blob_lire(_ecrire(donnees))) == donnees


def test_stored_objects_carry_nothing_about_the_person(stockage: str) -> None:
    donnees = b"Camille MARTIN 285037505612345 allergie penicilline\n" * 1000
    blob = _ecrire(donnees, media_type="text/plain")
    nom, contenu = next(iter(objets_stockes().items()))
    assert nom == f"coffre/{blob.id.hex[:2]}/{blob.id.hex}"
    assert b"MARTIN" not in contenu and b"285037505612345" not in contenu


@pytest.mark.parametrize(
    ("debut", "fin"),
    [
        (0, 0),
        (0, SEGMENT - 1),
        (SEGMENT - 3, SEGMENT + 2),
        (100, 4 * SEGMENT),
        (5 * SEGMENT, 5 * SEGMENT + 16),
    ],
)
def test_ranges_decrypt_only_what_is_asked(
    stockage: str, debut: int, fin: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    donnees = os.urandom(5 * SEGMENT + 17)
    blob = _ecrire(donnees)
    dechiffres: list[int] = []
    dechiffrer = Dechiffreur.dechiffrer

    def compter(self: Dechiffreur, index: int, chiffre: bytes | memoryview) -> bytes:
        dechiffres.append(index)
        return dechiffrer(self, index, chiffre)

    monkeypatch.setattr(Dechiffreur, "dechiffrer", compter)
    assert b"".join(services.blob_plage(blob, debut, fin)) == donnees[debut : fin + 1]
    assert dechiffres == list(range(debut // SEGMENT, fin // SEGMENT + 1))


def test_a_flipped_byte_is_refused(stockage: str) -> None:
    donnees = os.urandom(3 * SEGMENT)
    blob = _ecrire(donnees)
    chiffre = bytearray(objets_stockes()[blob.nom])
    chiffre[len(chiffre) // 2] ^= 0x40
    remplacer_objet(blob.nom, bytes(chiffre))
    lu = []
    with pytest.raises(services.BlobIllisible) as erreur:
        lu.extend(services.blob_lire(blob))
    assert erreur.value.code == "corrompu"
    assert b"".join(lu) == donnees[: len(b"".join(lu))]  # only authenticated segments came out
    assert len(b"".join(lu)) < len(donnees)


def test_a_truncated_object_is_refused(stockage: str) -> None:
    blob = _ecrire(os.urandom(2 * SEGMENT + 5))
    remplacer_objet(blob.nom, objets_stockes()[blob.nom][:-7])
    with pytest.raises(services.BlobIllisible, match="corrompu"):
        b"".join(services.blob_lire(blob))


def test_a_missing_object_is_refused(stockage: str) -> None:
    blob = _ecrire(b"x" * 100)
    st.supprimer(blob.nom)
    with pytest.raises(services.BlobIllisible) as erreur:
        b"".join(services.blob_lire(blob))
    assert erreur.value.code == "absent"


def test_objects_swapped_between_blobs_are_refused(stockage: str) -> None:
    a, b = _ecrire(os.urandom(1000)), _ecrire(os.urandom(1000))
    objets = objets_stockes()
    remplacer_objet(a.nom, objets[b.nom])
    with pytest.raises(services.BlobIllisible, match="corrompu"):
        b"".join(services.blob_lire(a))


def test_a_data_key_moved_to_another_row_is_refused(stockage: str) -> None:
    a, b = _ecrire(os.urandom(1000)), _ecrire(os.urandom(1000))
    Blob.objects.filter(pk=a.pk).update(cle_enveloppee=bytes(b.cle_enveloppee))
    a.refresh_from_db()
    with pytest.raises(services.BlobIllisible) as erreur:
        b"".join(services.blob_lire(a))
    assert erreur.value.code == "cle"


def test_an_unloaded_key_is_refused(stockage: str, settings) -> None:  # type: ignore[no-untyped-def]
    blob = _ecrire(os.urandom(1000))
    settings.ENCRYPTION_KEYS = KeySet(keys={"autre": os.urandom(32)}, active="autre")
    with pytest.raises(services.BlobIllisible) as erreur:
        b"".join(services.blob_lire(blob))
    assert erreur.value.code == "cle"


def test_a_failure_while_storing_leaves_no_row_and_no_object(stockage: str) -> None:
    def source_qui_casse() -> Iterator[bytes]:
        yield os.urandom(3 * SEGMENT)
        raise OSError("disque plein")

    with pytest.raises(OSError, match="disque plein"):
        services.blob_ecrire(source=source_qui_casse(), media_type="application/pdf")
    assert not Blob.objects.exists()
    assert objets_stockes() == {}


def test_too_big_is_refused_while_streaming(stockage: str) -> None:
    produits = []

    def source() -> Iterator[bytes]:
        for _ in range(100):
            produits.append(1)
            yield b"x" * SEGMENT

    with pytest.raises(services.TropVolumineux):
        services.blob_ecrire(source=source(), media_type="text/plain", taille_max=3 * SEGMENT)
    assert len(produits) == 4  # stopped at the first chunk over the limit, not after reading all
    assert not Blob.objects.exists() and objets_stockes() == {}


def test_vault_gc_removes_orphans_only(stockage: str, settings) -> None:  # type: ignore[no-untyped-def]
    garde = _ecrire(b"garde" * 100)
    orphelin = _ecrire(b"orphelin" * 100)
    Blob.objects.filter(pk=orphelin.pk).delete()  # as if the row had never been committed
    settings.VAULT_GC_GRACE = timedelta(hours=1)
    sortie = StringIO()
    call_command("vault_gc", stdout=sortie)
    assert "0 objet(s) orphelin(s)" in sortie.getvalue()  # too recent: maybe an upload in flight
    settings.VAULT_GC_GRACE = timedelta(seconds=-5)
    call_command("vault_gc", "--dry-run", stdout=sortie)
    assert set(objets_stockes()) == {garde.nom, orphelin.nom}
    call_command("vault_gc", stdout=sortie)
    assert set(objets_stockes()) == {garde.nom}
    assert b"".join(services.blob_lire(garde)) == b"garde" * 100


def test_verify_vault_checks_every_blob(stockage: str) -> None:
    bons = [_ecrire(os.urandom(SEGMENT + i)) for i in range(3)]
    sortie = StringIO()
    call_command("verify_vault", stdout=sortie)
    assert "3 blob(s) vérifié(s)" in sortie.getvalue()
    Blob.objects.filter(pk=bons[1].pk).update(sha256="0" * 64)
    erreurs = StringIO()
    with pytest.raises(CommandError, match="1 blob"):
        call_command("verify_vault", stdout=sortie, stderr=erreurs)
    assert str(bons[1].id) in erreurs.getvalue()


def test_deleting_a_blob_removes_its_object_after_commit(
    stockage: str, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    blob = _ecrire(b"a" * 10)
    with django_capture_on_commit_callbacks(execute=True):
        services.blob_supprimer(blob)
    assert objets_stockes() == {} and not Blob.objects.exists()


def _cle(octet: int) -> bytes:
    return bytes([octet]) * 32


def test_rotation_rewraps_keys_without_rewriting_blobs(stockage: str, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ENCRYPTION_KEYS = KeySet(keys={"k1": _cle(1)}, active="k1")
    blobs = [_ecrire(os.urandom(SEGMENT + i)) for i in range(5)]
    avant = objets_stockes()
    settings.ENCRYPTION_KEYS = KeySet(keys={"k1": _cle(1), "k2": _cle(2)}, active="k2")
    nouveau = _ecrire(b"neuf")
    assert nouveau.cle_id == "k2"
    sortie = StringIO()
    call_command("rotate_keys", "--lot", "2", stdout=sortie)
    assert "5 clé(s) de blob ré-enveloppée(s)" in sortie.getvalue()
    call_command("rotate_keys", stdout=sortie)  # idempotent
    assert "0 clé(s) de blob" in sortie.getvalue().splitlines()[-1]
    assert objets_stockes() == {**avant, nouveau.nom: objets_stockes()[nouveau.nom]}
    settings.ENCRYPTION_KEYS = KeySet(keys={"k2": _cle(2)}, active="k2")  # k1 unloaded
    for blob in [*blobs, nouveau]:
        blob.refresh_from_db()
        assert blob.cle_id == "k2"
        assert services.blob_verifier(blob) is None


def test_rotation_resumes_after_an_interruption(settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    settings.ENCRYPTION_KEYS = KeySet(keys={"k1": _cle(1)}, active="k1")
    for i in range(6):
        _ecrire(bytes([i]) * 10)
    settings.ENCRYPTION_KEYS = KeySet(keys={"k1": _cle(1), "k2": _cle(2)}, active="k2")
    appels = {"n": 0}
    original = Trousseau.reenvelopper

    def interrompu(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        appels["n"] += 1
        if appels["n"] == 4:
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Trousseau, "reenvelopper", interrompu)
    with pytest.raises(KeyboardInterrupt):
        services.cles_reenvelopper(lot=2)
    assert Blob.objects.filter(cle_id="k2").count() == 2  # the first batch committed
    monkeypatch.setattr(Trousseau, "reenvelopper", original)
    assert services.cles_reenvelopper(lot=2) == 4
    assert not Blob.objects.exclude(cle_id="k2").exists()


def test_wrapped_keys_are_not_key_material() -> None:
    from django.conf import settings

    blob = services.blob_ecrire_octets(b"abc", media_type="text/plain")
    for cle in settings.ENCRYPTION_KEYS.keys.values():
        assert cle not in bytes(blob.cle_enveloppee)
        assert base64.b64encode(cle) not in bytes(blob.cle_enveloppee)


def test_gc_ignores_objects_that_have_a_row_even_if_old(stockage: str, settings) -> None:  # type: ignore[no-untyped-def]
    blob = _ecrire(b"ancien")
    Blob.objects.filter(pk=blob.pk).update(cree_le=timezone.now() - timedelta(days=400))
    settings.VAULT_GC_GRACE = timedelta(seconds=-5)
    assert list(services.orphelins()) == []
    assert uuid.UUID(blob.nom.rsplit("/", 1)[1]) == blob.id
