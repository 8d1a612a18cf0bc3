"""The blob format on its own: round trips, and every kind of tampering is detected."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from espace_sante.coffre.format import (
    EN_PARALLELE,
    HEADER_SIZE,
    TAG_SIZE,
    BlobCorrompu,
    Chiffreur,
    Dechiffreur,
    nouvelle_cle,
    taille_chiffree,
)

SEGMENT = 4096


def chiffrer(
    clair: bytes, *, cle: bytes, blob_id: uuid.UUID, morceaux: list[int] | None = None
) -> bytes:
    chiffreur = Chiffreur(data_key=cle, blob_id=blob_id, segment_size=SEGMENT)
    sortie = [chiffreur.debut()]
    position = 0
    for taille in morceaux or [len(clair)]:
        sortie += [bytes(vue) for vue in chiffreur.ajouter(clair[position : position + taille])]
        position += taille
    sortie += [bytes(vue) for vue in chiffreur.ajouter(clair[position:])]
    sortie.append(bytes(chiffreur.finir()))
    return b"".join(sortie)


LECTEURS = ["flux", "projection"]
_lecteur = {"nom": "flux"}


@pytest.fixture(scope="module", autouse=True, params=LECTEURS)
def lecteur(request) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Every test of this module reads through both readers: a stream (S3, any storage) and a
    local file mapped into memory a segment at a time (the filesystem storage)."""
    _lecteur["nom"] = request.param
    yield request.param
    _lecteur["nom"] = "flux"


def dechiffrer(chiffre: bytes, *, cle: bytes, blob_id: uuid.UUID, taille: int) -> bytes:
    dechiffreur = Dechiffreur(data_key=cle, blob_id=blob_id, taille=taille)
    if _lecteur["nom"] == "flux":
        return b"".join(dechiffreur.segments_de(io.BytesIO(chiffre)))
    with tempfile.TemporaryFile() as fichier:
        fichier.write(chiffre)
        fichier.flush()
        return b"".join(dechiffreur.segments_projetes(fichier.fileno()))


@pytest.fixture
def cle() -> bytes:
    return nouvelle_cle()


@pytest.mark.parametrize("taille", [0, 1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 3 * SEGMENT + 5])
def test_round_trip_at_segment_boundaries(taille: int, cle: bytes) -> None:
    clair, blob_id = os.urandom(taille), uuid.uuid4()
    chiffre = chiffrer(clair, cle=cle, blob_id=blob_id)
    assert len(chiffre) == taille_chiffree(taille, SEGMENT)
    assert dechiffrer(chiffre, cle=cle, blob_id=blob_id, taille=taille) == clair


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=5 * SEGMENT), st.lists(st.integers(0, 2 * SEGMENT), max_size=8))
def test_any_chunking_gives_the_same_plaintext(clair: bytes, morceaux: list[int]) -> None:
    cle, blob_id = nouvelle_cle(), uuid.uuid4()
    chiffre = chiffrer(clair, cle=cle, blob_id=blob_id, morceaux=morceaux)
    assert len(chiffre) == taille_chiffree(len(clair), SEGMENT)
    assert dechiffrer(chiffre, cle=cle, blob_id=blob_id, taille=len(clair)) == clair


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 3 * SEGMENT), max_size=6), st.booleans())
def test_chunks_known_to_be_followed_or_last_give_the_same_blob(
    tailles: list[int], avec_fin: bool
) -> None:
    """A writer that reads one chunk ahead says whether more follows: whole segments are then
    encrypted in place, the last one included, and the blob reads back the same."""
    cle, blob_id = nouvelle_cle(), uuid.uuid4()
    morceaux = [os.urandom(taille) for taille in tailles if taille]  # empty ones are skipped
    chiffreur = Chiffreur(data_key=cle, blob_id=blob_id, segment_size=SEGMENT)
    sortie = []
    for rang, morceau in enumerate(morceaux):
        dernier = rang == len(morceaux) - 1
        suite = None if dernier and not avec_fin else not dernier  # None: ``finir`` closes
        sortie += [bytes(vue) for vue in chiffreur.ajouter(morceau, suite=suite)]
    if not morceaux or not avec_fin:
        sortie.append(bytes(chiffreur.finir()))
    chiffre = b"".join(sortie)
    clair = b"".join(morceaux)
    assert chiffre[:4] == b"ESCF" and len(chiffre) == taille_chiffree(len(clair), SEGMENT)
    assert dechiffrer(chiffre, cle=cle, blob_id=blob_id, taille=len(clair)) == clair


def test_the_header_comes_with_the_first_segment_unless_taken_before(cle: bytes) -> None:
    blob_id = uuid.uuid4()
    chiffreur = Chiffreur(data_key=cle, blob_id=blob_id, segment_size=SEGMENT)
    vues = [bytes(vue) for vue in chiffreur.ajouter(os.urandom(2 * SEGMENT + 1), suite=False)]
    assert [len(vue) for vue in vues] == [
        HEADER_SIZE + SEGMENT + TAG_SIZE,
        SEGMENT + TAG_SIZE,
        1 + TAG_SIZE,
    ]
    assert vues[0][:HEADER_SIZE] == chiffreur.en_tete.brut
    with pytest.raises(RuntimeError):
        chiffreur.finir()  # the last segment went already


@pytest.mark.parametrize("morceaux", [[EN_PARALLELE * 3 + 5], [EN_PARALLELE * 2, EN_PARALLELE + 5]])
def test_segments_encrypted_in_another_thread_piece_by_piece_read_back(
    morceaux: list[int], cle: bytes
) -> None:
    """Large segments are encrypted by the pool in pieces while the caller writes the first
    ones: the same AES-GCM, so the ordinary reader opens them."""
    blob_id, segment = uuid.uuid4(), 2 * EN_PARALLELE + 4096
    clairs = [os.urandom(taille) for taille in morceaux]
    empreinte = hashlib.sha256()
    with ThreadPoolExecutor(max_workers=2) as atelier:
        soumis: list[str] = []
        soumettre = atelier.submit
        atelier.submit = lambda f, *a, **k: soumis.append(f.__name__) or soumettre(f, *a, **k)  # type: ignore[method-assign]
        chiffreur = Chiffreur(
            data_key=cle,
            blob_id=blob_id,
            segment_size=segment,
            empreinte=empreinte,
            atelier=atelier,
        )
        vues: list[bytes] = []
        for rang, clair in enumerate(clairs):
            suite = rang < len(clairs) - 1
            vues += [bytes(vue) for vue in chiffreur.ajouter(clair, suite=suite)]
        chiffreur.liberer()
    # The whole first segment was encrypted (and hashed) by the pool, the short tail here.
    assert soumis.count("_chiffrer_la_suite") == 1
    assert empreinte.digest() == hashlib.sha256(b"".join(clairs)).digest()
    chiffre, clair = b"".join(vues), b"".join(clairs)
    assert len(chiffre) == taille_chiffree(len(clair), segment)
    dechiffreur = Dechiffreur(data_key=cle, blob_id=blob_id, taille=len(clair))
    assert b"".join(dechiffreur.segments_de(io.BytesIO(chiffre))) == clair


def test_ciphertext_shows_nothing_of_the_plaintext(cle: bytes) -> None:
    clair = b"Compte rendu d'hospitalisation de Camille MARTIN " * 200
    chiffre = chiffrer(clair, cle=cle, blob_id=uuid.uuid4())
    assert b"Camille" not in chiffre and b"hospitalisation" not in chiffre


CLAIR = os.urandom(3 * SEGMENT + 100)


def _altere(chiffre: bytes, position: int) -> bytes:
    tampon = bytearray(chiffre)
    tampon[position] ^= 0x01
    return bytes(tampon)


def _segments(chiffre: bytes) -> list[bytes]:
    corps = chiffre[HEADER_SIZE:]
    pas = SEGMENT + TAG_SIZE
    return [corps[i : i + pas] for i in range(0, len(corps), pas)]


@pytest.mark.parametrize(
    "position",
    [0, 5, 10, 20, HEADER_SIZE - 1, HEADER_SIZE, HEADER_SIZE + SEGMENT + 3, -1, -TAG_SIZE - 1],
)
def test_a_flipped_bit_anywhere_is_detected(position: int, cle: bytes) -> None:
    blob_id = uuid.uuid4()
    chiffre = _altere(chiffrer(CLAIR, cle=cle, blob_id=blob_id), position)
    with pytest.raises(BlobCorrompu):
        dechiffrer(chiffre, cle=cle, blob_id=blob_id, taille=len(CLAIR))


def test_truncation_at_a_segment_boundary_is_detected(cle: bytes) -> None:
    blob_id = uuid.uuid4()
    chiffre = chiffrer(CLAIR, cle=cle, blob_id=blob_id)
    sans_dernier = b"".join([chiffre[:HEADER_SIZE], *_segments(chiffre)[:-1]])
    # even when told the shorter plaintext size, the last present segment is not marked last
    with pytest.raises(BlobCorrompu):
        dechiffrer(sans_dernier, cle=cle, blob_id=blob_id, taille=3 * SEGMENT)
    with pytest.raises(BlobCorrompu):
        dechiffrer(chiffre[:-10], cle=cle, blob_id=blob_id, taille=len(CLAIR))


def test_extension_is_detected(cle: bytes) -> None:
    blob_id = uuid.uuid4()
    chiffre = chiffrer(CLAIR, cle=cle, blob_id=blob_id)
    with pytest.raises(BlobCorrompu, match="après le dernier"):
        dechiffrer(chiffre + b"x", cle=cle, blob_id=blob_id, taille=len(CLAIR))
    with pytest.raises(BlobCorrompu):
        dechiffrer(
            chiffre + _segments(chiffre)[0], cle=cle, blob_id=blob_id, taille=len(CLAIR) + SEGMENT
        )


def test_reordered_segments_are_detected(cle: bytes) -> None:
    blob_id = uuid.uuid4()
    chiffre = chiffrer(CLAIR, cle=cle, blob_id=blob_id)
    segments = _segments(chiffre)
    segments[0], segments[1] = segments[1], segments[0]
    with pytest.raises(BlobCorrompu, match="segment 0"):
        dechiffrer(
            b"".join([chiffre[:HEADER_SIZE], *segments]),
            cle=cle,
            blob_id=blob_id,
            taille=len(CLAIR),
        )


def test_a_segment_from_another_blob_is_detected_even_under_the_same_key(cle: bytes) -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    chiffre_a = chiffrer(CLAIR, cle=cle, blob_id=a)
    chiffre_b = chiffrer(CLAIR, cle=cle, blob_id=b)
    melange = b"".join(
        [chiffre_a[:HEADER_SIZE], _segments(chiffre_b)[0], *_segments(chiffre_a)[1:]]
    )
    with pytest.raises(BlobCorrompu):
        dechiffrer(melange, cle=cle, blob_id=a, taille=len(CLAIR))


def test_a_whole_blob_presented_under_another_id_is_detected(cle: bytes) -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    chiffre_a = chiffrer(CLAIR, cle=cle, blob_id=a)
    with pytest.raises(BlobCorrompu, match="autre blob"):
        dechiffrer(chiffre_a, cle=cle, blob_id=b, taille=len(CLAIR))


def test_a_wrong_key_is_detected(cle: bytes) -> None:
    blob_id = uuid.uuid4()
    chiffre = chiffrer(CLAIR, cle=cle, blob_id=blob_id)
    with pytest.raises(BlobCorrompu):
        dechiffrer(chiffre, cle=nouvelle_cle(), blob_id=blob_id, taille=len(CLAIR))


def test_a_wrong_recorded_size_is_detected(cle: bytes) -> None:
    blob_id = uuid.uuid4()
    chiffre = chiffrer(CLAIR, cle=cle, blob_id=blob_id)
    for taille in (len(CLAIR) - 1, len(CLAIR) + 1, 2 * SEGMENT):
        with pytest.raises(BlobCorrompu):
            dechiffrer(chiffre, cle=cle, blob_id=blob_id, taille=taille)


def test_not_a_vault_object_or_an_unknown_version(cle: bytes) -> None:
    blob_id = uuid.uuid4()
    with pytest.raises(BlobCorrompu, match="pas un objet"):
        dechiffrer(b"%PDF-1.7" + bytes(100), cle=cle, blob_id=blob_id, taille=10)
    chiffre = bytearray(chiffrer(b"abc", cle=cle, blob_id=blob_id))
    chiffre[4] = 2
    with pytest.raises(BlobCorrompu, match="version"):
        dechiffrer(bytes(chiffre), cle=cle, blob_id=blob_id, taille=3)
    with pytest.raises(BlobCorrompu, match="tronqué"):
        dechiffrer(b"ESCF", cle=cle, blob_id=blob_id, taille=3)


def test_a_mapped_file_is_read_window_by_window_ranges_included(
    cle: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The local reader maps a few segments at a time: windows end and start mid-file, and a
    range starts and ends where it is asked, authenticated all the same."""
    from espace_sante.coffre import format as fmt

    monkeypatch.setattr(fmt, "FENETRE", 2 * (SEGMENT + TAG_SIZE))
    blob_id = uuid.uuid4()
    clair = os.urandom(6 * SEGMENT + 7)  # seven segments: windows of two, then one
    chiffre = chiffrer(clair, cle=cle, blob_id=blob_id)
    with tempfile.TemporaryFile() as fichier:
        fichier.write(chiffre)
        fichier.flush()

        def lire(**plage: int) -> bytes:
            dechiffreur = Dechiffreur(data_key=cle, blob_id=blob_id, taille=len(clair))
            return b"".join(dechiffreur.segments_projetes(fichier.fileno(), **plage))

        assert lire() == clair
        assert lire(premier=3, dernier=5) == clair[3 * SEGMENT : 6 * SEGMENT]
        assert lire(premier=6) == clair[6 * SEGMENT :]
        fichier.seek(HEADER_SIZE + 4 * (SEGMENT + TAG_SIZE) + 9)
        fichier.write(b"\x00\x01")  # in the third window
        fichier.flush()
        assert lire(premier=0, dernier=3) == clair[: 4 * SEGMENT]
        with pytest.raises(BlobCorrompu, match="segment 4"):
            lire(premier=3)


def test_a_mapped_file_of_the_wrong_size_is_refused_before_it_is_mapped(cle: bytes) -> None:
    """Touching a page past the end of a mapped file would kill the process: the size is
    checked first."""
    blob_id = uuid.uuid4()
    chiffre = chiffrer(CLAIR, cle=cle, blob_id=blob_id)
    for mauvais, motif in ((chiffre[:-1], "tronqué"), (chiffre + b"\x00", "après le dernier")):
        with tempfile.TemporaryFile() as fichier:
            fichier.write(mauvais)
            fichier.flush()
            dechiffreur = Dechiffreur(data_key=cle, blob_id=blob_id, taille=len(CLAIR))
            with pytest.raises(BlobCorrompu, match=motif):
                next(dechiffreur.segments_projetes(fichier.fileno(), premier=2, dernier=2))
