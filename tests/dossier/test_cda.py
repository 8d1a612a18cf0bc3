"""dossier.formats.cda : lecture sûre des documents CDA R2 (DESIGN.md §8).

Deux sortes de tests : contre les exemples du cadre d'interopérabilité (``../shared/data``, qui
ne sont pas copiés dans le projet ; absents, les tests le disent et passent, sauf en CI où ils
échouent) et contre les documents synthétiques du projet (``fichiers_cda/``, ou fabriqués ici).
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from lxml import html as lxml_html

from dossier.formats.cda.analyse import MARQUES_MAX, TAILLE_MAX, CDAInvalide, _parseur
from dossier.formats.cda.lecture import (
    OID_INS_NIR_DEMO,
    OID_INS_NIR_PRODUCTION,
    OID_INS_NIR_TEST,
    OID_RPPS,
    OIDS_INS_NIR,
    DocumentCDA,
    Identifiant,
    Section,
    date_cda,
    ins_du_patient,
    lire_cda,
)
from dossier.formats.cda.narratif import BALISES_HTML, narratif_en_html

from ..conftest import en_ci

DONNEES = Path(__file__).resolve().parents[3] / "shared" / "data"
FICHIERS = Path(__file__).resolve().parent / "fichiers_cda"

# Ce que la consigne autorise en sortie, écrit ici indépendamment du module.
BALISES_AUTORISEES = frozenset(
    {"p", "ol", "ul", "li", "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot",
     "tr", "th", "td", "span", "strong", "em", "u", "br", "sub", "sup"}
)  # fmt: skip
_NOMS_PERMIS = "|".join(sorted(BALISES_AUTORISEES))
_BALISE_PERMISE = re.compile(rf"</?(?:{_NOMS_PERMIS})(?: (?:colspan|rowspan)=\"[0-9]{{1,4}}\")*>")


def _absent(quoi: Path) -> None:
    raison = f"Données de référence absentes : {quoi} (attendues dans ../shared/data/)."
    if en_ci():
        pytest.fail(raison + " Elles sont obligatoires en CI.")
    pytest.skip(raison)


def _fichier(nom: str) -> bytes:
    return (FICHIERS / nom).read_bytes()


def _toutes_les_sections(sections: tuple[Section, ...]) -> list[Section]:
    return [t for s in sections for t in (s, *_toutes_les_sections(s.sous_sections))]


def _verifier_html_sur(fragment: str) -> None:
    """Seules les balises permises, sans autre attribut que colspan/rowspan entiers ; tout le
    reste est du texte échappé (plus aucun ``<``, ``>`` ni ``"`` une fois les balises ôtées)."""
    reste = _BALISE_PERMISE.sub("", fragment)
    assert not set(reste) & set('<>"'), reste
    if not fragment.strip():
        return
    racine = lxml_html.fragment_fromstring(fragment, create_parent="div")
    for element in racine.iterdescendants():
        assert element.tag in BALISES_AUTORISEES, element.tag
        assert set(element.attrib) <= {"colspan", "rowspan"}, element.attrib
        assert all(v.isdigit() for v in element.attrib.values())


def _verifier_document(doc: DocumentCDA) -> None:
    for section in _toutes_les_sections(doc.sections):
        _verifier_html_sur(section.html)


# --- Documents fabriqués -------------------------------------------------------------------

_PATIENT = (
    '<recordTarget><patientRole><id root="{oid}" extension="199999999999942"/>'
    "<patient><name><family>ESSAI</family><given>CAMILLE</given></name></patient>"
    "</patientRole></recordTarget>"
)


def _cda(
    corps: str = "<structuredBody/>",
    entete: str = _PATIENT.format(oid=OID_INS_NIR_TEST),
    prologue: str = '<?xml version="1.0" encoding="UTF-8"?>\n',
) -> str:
    return (
        f'{prologue}<ClinicalDocument xmlns="urn:hl7-org:v3">'
        f'<code code="11490-0" codeSystem="2.16.840.1.113883.6.1"/><title>Essai</title>'
        f"{entete}<component>{corps}</component></ClinicalDocument>"
    )


def _narratif(texte: str, entrees: str = "") -> str:
    """Un document dont l'unique section porte ce bloc narratif (profondeur de ``text`` : 6)."""
    return _cda(
        f"<structuredBody><component><section><title>S</title><text>{texte}</text>"
        f"{entrees}</section></component></structuredBody>"
    )


def _html(texte: str) -> str:
    doc = lire_cda(_narratif(texte).encode())
    html = doc.sections[0].html
    _verifier_html_sur(html)
    return html


def _pdf(
    texte_b64: str, attributs: str = 'mediaType="application/pdf" representation="B64"'
) -> bytes:
    return _cda(f"<nonXMLBody><text {attributs}>{texte_b64}</text></nonXMLBody>").encode()


def _refus(donnees: bytes) -> str:
    with pytest.raises(CDAInvalide) as refus:
        lire_cda(donnees)
    assert refus.value.message and refus.value.message == str(refus.value)
    return refus.value.message


# --- Exemples du cadre d'interopérabilité ----------------------------------------------------


def _references_cda() -> list[Any]:
    dossier = DONNEES / "cda"
    fichiers = sorted(dossier.glob("*.xml")) if dossier.is_dir() else []
    return [pytest.param(f, id=f.name) for f in fichiers] or [pytest.param(None, id="absentes")]


def _archives_xdm() -> list[Any]:
    dossier = DONNEES / "xdm"
    archives = sorted(dossier.glob("*.zip")) if dossier.is_dir() else []
    return [pytest.param(a, id=a.name) for a in archives] or [pytest.param(None, id="absentes")]


def _reference(nom: str) -> DocumentCDA:
    chemin = DONNEES / "cda" / nom
    if not chemin.is_file():
        _absent(chemin)
    return lire_cda(chemin.read_bytes())


@pytest.mark.parametrize("chemin", _references_cda())
def test_chaque_exemple_cda_de_reference_est_lu_avec_son_en_tete(chemin: Path | None) -> None:
    if chemin is None:
        _absent(DONNEES / "cda")
        return
    doc = lire_cda(chemin.read_bytes())
    assert doc.code and doc.code_systeme and doc.code_libelle and doc.titre
    assert doc.date is not None and doc.date.year >= 2019
    assert doc.confidentialite == "N" and doc.langue == "fr-FR"
    assert doc.patient.nom == "PAT-TROIS"
    assert doc.patient.date_naissance == dt.date(1979, 3, 28)
    assert doc.patient.sexe == "F"
    assert ins_du_patient(doc) == "279035121518989"
    assert doc.patient.ins == (Identifiant(OID_INS_NIR_TEST, "279035121518989"),)
    assert doc.auteurs and all(a.nom and a.identifiant for a in doc.auteurs)
    assert doc.organisation
    if doc.niveau == 1:
        assert doc.pdf_integre is not None and doc.pdf_integre.startswith(b"%PDF-")
        assert doc.sections == () and doc.type_media == "application/pdf"
    else:
        assert doc.niveau == 3 and doc.pdf_integre is None
        assert doc.sections and any(s.html for s in _toutes_les_sections(doc.sections))
        _verifier_document(doc)


def test_le_compte_rendu_de_biologie_tsh_donne_ses_valeurs_exactes() -> None:
    doc = _reference("BIO-CR-BIO_2024.01_TSH_1.xml")
    assert (doc.code, doc.code_systeme) == ("11502-2", "2.16.840.1.113883.6.1")
    assert doc.code_libelle == "CR d'examens biologiques"
    assert doc.titre == "Compte rendu d'examens biologiques"
    assert doc.date == dt.date(2021, 4, 1)
    assert doc.niveau == 3
    assert doc.patient.prenoms == "DOMINIQUE MARIE-LOUISE"
    assert (doc.patient.nom_utilise, doc.patient.prenom_utilise) == ("PAT-TROIS", "DOMINIQUE")
    assert doc.patient.nom_complet == "DOMINIQUE MARIE-LOUISE PAT-TROIS"
    (auteur,) = doc.auteurs
    assert auteur.nom == "Marcel CAMPARINI"
    assert auteur.identifiant == Identifiant(OID_RPPS, "801234534765")
    assert auteur.rpps == "801234534765"
    assert auteur.specialite == "Médecin - Biologie médicale (SM)"
    assert doc.organisation == "Laboratoire des charmes"
    assert doc.version == 1 and doc.identifiant_lot is not None
    biochimie = doc.sections[0]
    assert biochimie.titre == "BIOCHIMIE" and biochimie.sous_sections
    assert "BILAN THYROIDIEN" in biochimie.sous_sections[0].html


def test_l_historique_de_remboursement_a_pour_auteur_l_assurance_maladie() -> None:
    doc = _reference("CNAM-HR_2021.01.xml")
    assert doc.code == "REMB" and doc.code_systeme == "1.2.250.1.213.1.1.4.12"
    assert [a.nom for a in doc.auteurs] == ["Assurance Maladie"]
    assert [s.titre for s in doc.sections][:3] == [
        "Usage et Responsabilités",
        "Médicaments",
        "Vaccinations",
    ]


def test_le_compte_rendu_d_imagerie_a_des_sous_sections() -> None:
    doc = _reference("IMG_CR_IMG_2024.01.xml")
    assert doc.code == "18748-4"
    assert doc.auteurs[0].nom == "Jacques BIDEAULT"
    assert any(s.sous_sections for s in doc.sections)
    assert len(_toutes_les_sections(doc.sections)) == 23


def test_la_prescription_commence_par_une_marque_d_ordre_utf8_et_se_lit() -> None:
    chemin = DONNEES / "cda" / "eP-MED-DM_2024.01_PosoStruct.xml"
    if not chemin.is_file():
        _absent(chemin)
    assert chemin.read_bytes().startswith(b"\xef\xbb\xbf")
    doc = lire_cda(chemin.read_bytes())
    assert doc.code == "57833-6" and doc.auteurs[0].nom == "Romain PIOU"


def test_le_document_non_structure_de_niveau_1_donne_son_pdf() -> None:
    doc = _reference("DOC_NON_STRUCTURE_CDA-R2-N1.xml")
    assert doc.niveau == 1 and doc.code == "11502-2"
    assert doc.pdf_integre is not None and doc.pdf_integre.startswith(b"%PDF-")
    assert doc.pdf_integre.rstrip().endswith(b"%%EOF")
    assert "pdf_integre" not in repr(doc)


def _documents_xdm(archive: Path) -> list[tuple[PurePosixPath, bytes]]:
    """Les documents d'une archive IHE XDM : ``IHE_XDM/<lot>/*.XML`` hors ``METADATA.XML``,
    quel que soit le nom du dossier du lot."""
    with zipfile.ZipFile(archive) as zip_:
        return [
            (chemin, zip_.read(info))
            for info in zip_.infolist()
            if len((chemin := PurePosixPath(info.filename)).parts) == 3
            and chemin.parts[0] == "IHE_XDM"
            and chemin.suffix.upper() == ".XML"
            and chemin.name.upper() != "METADATA.XML"
        ]


def _patient_des_metadonnees(archive: Path) -> tuple[str, str]:
    with zipfile.ZipFile(archive) as zip_:
        (nom,) = [n for n in zip_.namelist() if n.upper().endswith("/METADATA.XML")]
        metadonnees = zip_.read(nom).decode("utf-8")
    trouve = re.search(r'value="([^"^]+)\^\^\^&amp;([0-9.]+)&amp;ISO', metadonnees)
    assert trouve, "identifiant du patient introuvable dans METADATA.XML"
    return trouve.group(1), trouve.group(2)


@pytest.mark.parametrize("archive", _archives_xdm())
def test_le_document_de_chaque_archive_xdm_est_lu(archive: Path | None) -> None:
    if archive is None:
        _absent(DONNEES / "xdm")
        return
    documents = _documents_xdm(archive)
    assert documents, f"aucun document dans {archive.name}"
    valeur, oid = _patient_des_metadonnees(archive)
    for chemin, contenu in documents:
        doc = lire_cda(contenu)
        assert doc.code and doc.titre and doc.date is not None, chemin
        assert doc.auteurs and doc.sections, chemin
        _verifier_document(doc)
        if oid in OIDS_INS_NIR:  # archive française : l'INS du CDA est celui des métadonnées
            assert chemin.name == "DOC0001.XML"
            assert ins_du_patient(doc) == valeur
        else:  # C-CDA américain : pas d'INS
            assert ins_du_patient(doc) is None


# --- Documents synthétiques du projet : lecture ----------------------------------------------


def test_le_document_synthetique_structure_donne_tous_ses_champs() -> None:
    doc = lire_cda(_fichier("synthetique_structure.xml"))
    assert doc.code == "11490-0" and doc.titre == "Lettre de liaison synthétique"
    assert doc.date == dt.date(2024, 1, 15)  # date locale, sans conversion de fuseau
    assert doc.niveau == 2  # pas d'entry
    assert doc.identifiant == Identifiant("1.2.250.1.999.1", "DOC-SYNTH-1")
    assert doc.identifiant_lot == Identifiant("1.2.250.1.999.1", "LOT-SYNTH")
    assert doc.version == 2
    patient = doc.patient
    assert (patient.nom, patient.prenoms) == ("ESSAI", "CAMILLE ANNE")
    assert (patient.nom_utilise, patient.prenom_utilise) == ("ESSAI-USAGE", "CAM")
    assert patient.date_naissance is None  # 30 février
    assert patient.ins == (Identifiant(OID_INS_NIR_TEST, "199999999999942"),)
    medecin, logiciel = doc.auteurs
    assert medecin.nom == "Paul TESTEUR" and medecin.rpps == "899999999999"  # RPPS préféré
    assert medecin.organisation == "Cabinet fictif"
    assert (logiciel.nom, logiciel.rpps, logiciel.specialite) == ("Logiciel fictif", None, "")
    assert doc.organisation == "Hébergeur fictif"
    motif, vide = doc.sections
    assert (motif.titre, motif.code) == ("Motif de l'hospitalisation", "42349-1")
    (sous,) = motif.sous_sections
    assert sous == Section("Traitements à la sortie", "Sous-section sans titre", (), "10183-2")
    assert vide == Section("Section vide", "")


def test_le_narratif_cda_devient_le_html_attendu() -> None:
    doc = lire_cda(_fichier("synthetique_structure.xml"))
    html = doc.sections[0].html
    _verifier_html_sur(html)
    assert (
        "<p><strong>Douleur &amp; fièvre <span><em><u>depuis 3 jours</u></em></span></strong></p>"
    ) in html
    assert (
        "<p><strong>Étapes</strong></p><ol><li>un</li><li><strong>deux</strong></li></ol>" in html
    )
    assert "<ul><li>puce</li></ul>" in html
    assert "<caption>Résultats</caption> <colgroup><col><col></colgroup>" in html
    assert '<thead><tr><th colspan="2">Examen</th></tr></thead>' in html
    assert '<td rowspan="3">TSH</td><td>1,2 mUI/L</td>' in html  # colspan="2; x" ôté
    assert "<tfoot><tr><td>pied</td><td>fin</td></tr></tfoot>" in html  # -1 et 99999 ôtés
    assert "<p>H<sub>2</sub>O et m<sup>2</sup><br>ligne suivante lien</p>" in html
    assert "<p>note (pied de page) (légende image)</p>" in html


@pytest.mark.parametrize(
    ("narratif", "attendu"),
    [
        ("texte <content>brut</content>", "texte <span>brut</span>"),
        (
            '<content styleCode="BoldItalics">x</content>',
            "<span><strong><em>x</em></strong></span>",
        ),
        (
            '<content styleCode="underline bold">x</content>',
            "<span><strong><u>x</u></strong></span>",
        ),
        ('<list listType="unordered"><item>a</item>b</list>', "<ul><li>a</li><li>b</li></ul>"),
        (
            '<list listType="ordered">x<paragraph>p</paragraph></list>',
            "<ol><li>x</li><li><p>p</p></li></ol>",
        ),
        ("<item>seul</item>", "<span>seul</span>"),
        (
            "<paragraph><caption>Titre</caption>corps</paragraph>",
            "<p><strong>Titre</strong> corps</p>",
        ),
        (
            '<table><tr><td colspan="1000" rowspan="0">c</td></tr></table>',
            '<table><tr><td colspan="1000">c</td></tr></table>',
        ),
        ("a<br/>b<br>ignoré</br>", "a<br>b<br>ignoré"),
        ('<linkHtml href="https://x.invalid/"><content>lien</content></linkHtml>', "lien"),
        ('<renderMultiMedia referencedObject="x"/>fin', "fin"),
        ("<footnoteRef IDREF='n'/>fin", "fin"),
        ("<inconnu>gardé <paragraph>p</paragraph></inconnu>", "gardé <p>p</p>"),
        ("a\n\t  b", "a b"),
    ],
)
def test_chaque_element_du_narratif_a_sa_traduction(narratif: str, attendu: str) -> None:
    assert _html(narratif) == attendu


def test_un_narratif_absent_donne_une_chaine_vide() -> None:
    assert narratif_en_html(None) == ""


def test_le_niveau_est_3_quand_une_section_porte_des_entrees() -> None:
    assert lire_cda(_narratif("t").encode()).niveau == 2
    assert lire_cda(_narratif("t", "<entry><observation/></entry>").encode()).niveau == 3


def test_le_document_synthetique_de_niveau_1_donne_son_pdf() -> None:
    doc = lire_cda(_fichier("synthetique_niveau1.xml"))
    assert doc.niveau == 1 and doc.type_media == "application/pdf" and doc.sections == ()
    assert doc.pdf_integre is not None and doc.pdf_integre.startswith(b"%PDF-1.4\n")
    assert ins_du_patient(doc) == "199999999999942"
    assert doc.auteurs[0].nom == "Laboratoire fictif" and doc.organisation == "Laboratoire fictif"


def test_un_corps_non_structure_d_un_autre_type_est_signale_sans_etre_decode() -> None:
    doc = lire_cda(_cda("<nonXMLBody><text>Bonjour</text></nonXMLBody>").encode())
    assert (doc.niveau, doc.type_media, doc.pdf_integre) == (1, "text/plain", None)
    image = _cda(
        '<nonXMLBody><text mediaType="image/jpeg" representation="B64">/9j/</text></nonXMLBody>'
    )
    assert lire_cda(image.encode()).type_media == "image/jpeg"


@pytest.mark.parametrize(
    ("valeur", "attendu"),
    [
        ("20240115", dt.date(2024, 1, 15)),
        ("20240115103000+0100", dt.date(2024, 1, 15)),
        ("20240115233000.1234-0500", dt.date(2024, 1, 15)),
        ("202401151030", dt.date(2024, 1, 15)),
        (" 20240115 ", dt.date(2024, 1, 15)),
        ("202401", None),
        ("2024", None),
        ("20241301", None),
        ("00000101", None),
        ("2024-01-15", None),
        ("２０２４０１１５", None),
        ("", None),
    ],
)
def test_les_horodatages_cda_donnent_une_date_au_jour_pres(
    valeur: str, attendu: dt.date | None
) -> None:
    assert date_cda(valeur) == attendu


# --- INS du patient ---------------------------------------------------------------------------


@pytest.mark.parametrize("oid", [OID_INS_NIR_PRODUCTION, OID_INS_NIR_TEST, OID_INS_NIR_DEMO])
def test_l_ins_nir_est_reconnu_sous_ses_trois_oid(oid: str) -> None:
    doc = lire_cda(_cda(entete=_PATIENT.format(oid=oid)).encode())
    assert ins_du_patient(doc) == "199999999999942" == doc.ins_nir
    assert doc.patient.ins == (Identifiant(oid, "199999999999942"),)


def _avec_ids(*ids: tuple[str, str]) -> DocumentCDA:
    balises = "".join(f'<id root="{r}" extension="{e}"/>' for r, e in ids)
    entete = f"<recordTarget><patientRole>{balises}</patientRole></recordTarget>"
    return lire_cda(_cda(entete=entete).encode())


def test_un_identifiant_qui_n_est_pas_un_ins_nir_est_ignore() -> None:
    doc = _avec_ids(("1.2.3.4", "199999999999942"), (OID_RPPS, "8001"), (OID_INS_NIR_TEST, ""))
    assert doc.patient.ins == () and ins_du_patient(doc) is None


def test_un_meme_ins_sous_deux_oid_reste_un_seul_ins() -> None:
    doc = _avec_ids(
        (OID_INS_NIR_PRODUCTION, "199999999999942"), (OID_INS_NIR_TEST, "199999999999942")
    )
    assert ins_du_patient(doc) == "199999999999942"


def test_deux_ins_differents_rendent_le_patient_ambigu() -> None:
    doc = _avec_ids(
        (OID_INS_NIR_PRODUCTION, "199999999999942"), (OID_INS_NIR_TEST, "288888888888888")
    )
    assert len(doc.patient.ins) == 2 and ins_du_patient(doc) is None


def test_un_document_sans_patient_n_a_pas_d_ins() -> None:
    doc = lire_cda(_cda(entete="").encode())
    assert doc.patient.nom == "" and ins_du_patient(doc) is None


def test_un_document_qui_concerne_plusieurs_patients_est_refuse() -> None:
    deux = _PATIENT.format(oid=OID_INS_NIR_TEST) * 2
    assert "plusieurs patients" in _refus(_cda(entete=deux).encode())


# --- Documents hostiles ----------------------------------------------------------------------


def test_un_billion_laughs_est_refuse_avant_toute_expansion() -> None:
    assert "DOCTYPE" in _refus(_fichier("billion_laughs.xml"))


def test_une_entite_externe_vers_etc_passwd_est_refusee() -> None:
    message = _refus(_fichier("entite_externe.xml"))
    assert "DOCTYPE" in message and "root:" not in message


def test_le_parseur_durci_seul_ne_lit_aucun_fichier_ni_n_etend_d_entite(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-A-NE-PAS-LIRE")
    document = (
        f'<!DOCTYPE a [<!ENTITY s SYSTEM "{secret.as_uri()}"><!ENTITY i "interne">]><a>&s;&i;</a>'
    ).encode()
    lu = etree.tostring(etree.fromstring(document, _parseur()))
    assert b"SECRET" not in lu and b"interne" not in lu
    with pytest.raises(etree.XMLSyntaxError):  # libxml2 borne aussi l'amplification
        etree.fromstring(_fichier("billion_laughs.xml"), _parseur())


@pytest.mark.parametrize(
    "doctype",
    [
        "<!DOCTYPE ClinicalDocument>",
        '<!DOCTYPE ClinicalDocument SYSTEM "http://exemple.invalid/cda.dtd">',
        '<!DOCTYPE ClinicalDocument PUBLIC "-//X//DTD X//FR" "file:///etc/passwd">',
        "<!DOCTYPE ClinicalDocument [<!ELEMENT ClinicalDocument ANY>]>",
        '<!DOCTYPE x [<!ENTITY % p SYSTEM "http://exemple.invalid/p.dtd"> %p;]>',
    ],
)
def test_toute_declaration_doctype_est_refusee(doctype: str) -> None:
    prologue = f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}\n'
    assert "DOCTYPE" in _refus(_cda(prologue=prologue).encode())


def test_un_doctype_en_utf16_ou_apres_une_marque_d_ordre_est_refuse() -> None:
    document = _cda(prologue='<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a>')
    assert "DOCTYPE" in _refus(document.encode("utf-16"))
    assert "DOCTYPE" in _refus(document.encode("utf-16-be"))
    assert "DOCTYPE" in _refus(b"\xef\xbb\xbf" + _cda(prologue="<!DOCTYPE a>").encode())


def test_un_doctype_deguise_en_utf7_est_refuse() -> None:
    document = (
        b'<?xml version="1.0" encoding="UTF-7"?>+ADw-!DOCTYPE a+AD4-' + _cda(prologue="").encode()
    )
    assert "UTF-7" in _refus(document).upper()


@pytest.mark.parametrize(
    "prefixe",
    [b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00", b"\x00\x00\x00<", b"\x4c\x6f\xa7\x94"],
    ids=["utf32-be", "utf32-le", "ucs4", "ebcdic"],
)
def test_les_encodages_exotiques_sont_refuses(prefixe: bytes) -> None:
    assert "encodage" in _refus(prefixe + b"?xml")


def test_des_octets_invalides_pour_l_encodage_sont_refuses() -> None:
    assert "encodage" in _refus(_cda().encode() + b"\xff\xfe\xfd")


@pytest.mark.parametrize(
    "encodage",
    ["utf-16", "utf-16-le", "utf-16-be", "iso-8859-1", "windows-1252", "iso-8859-15"],
)
def test_un_document_dans_un_encodage_admis_est_lu_avec_ses_accents(encodage: str) -> None:
    declaration = encodage.upper().replace("-LE", "").replace("-BE", "")
    prologue = f'<?xml version="1.0" encoding="{declaration}"?>'
    document = _cda(prologue=prologue).replace("<title>Essai</title>", "<title>Été</title>")
    assert lire_cda(document.encode(encodage)).titre == "Été"


def test_une_imbrication_au_dela_de_100_niveaux_est_refusee() -> None:
    def imbrique(n: int) -> bytes:
        return _narratif("<content>" * n + "x" + "</content>" * n).encode()

    assert lire_cda(imbrique(94)).sections[0].html.count("<span>") == 94  # profondeur 100
    assert "profondément" in _refus(imbrique(95))  # 101
    assert "profondément" in _refus(imbrique(100_000))  # arrêté par libxml2 à 256


@pytest.mark.parametrize(
    "donnees",
    [
        b"",
        b"   \n",
        b"\x89PNG\r\n\x1a\n\x00\x00",
        b"<ClinicalDocument xmlns='urn:hl7-org:v3'>",
        b"<ClinicalDocument xmlns='urn:hl7-org:v3'><title></ClinicalDocument>",
        b"<ClinicalDocument xmlns='urn:hl7-org:v3'>&inconnue;</ClinicalDocument>",
        b"<ClinicalDocument xmlns='urn:hl7-org:v3'/><autre/>",
        b"<a b='1' b='2'/>",
        b"texte seul",
    ],
)
def test_un_xml_mal_forme_ou_vide_est_refuse(donnees: bytes) -> None:
    _refus(donnees)


@pytest.mark.parametrize(
    "document",
    [
        "<ClinicalDocument><component><structuredBody/></component></ClinicalDocument>",
        '<ClinicalDocument xmlns="urn:hl7-org:v2"/>',
        '<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
        '<h:Document xmlns:h="urn:hl7-org:v3"/>',
    ],
)
def test_une_racine_autre_que_clinicaldocument_hl7_est_refusee(document: str) -> None:
    assert "ClinicalDocument" in _refus(document.encode())


def test_un_document_sans_corps_est_refuse() -> None:
    sans_composant = _cda().replace("<component><structuredBody/></component>", "")
    assert "corps" in _refus(sans_composant.encode())
    assert "corps" in _refus(_cda(corps="<autre/>").encode())


def test_lire_cda_attend_des_octets() -> None:
    document = _cda()
    assert lire_cda(bytearray(document.encode())).titre == "Essai"  # type: ignore[arg-type]
    assert lire_cda(memoryview(document.encode())).titre == "Essai"  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        lire_cda(document)  # type: ignore[arg-type]


def test_un_document_de_plus_de_20_mio_est_refuse_sans_etre_analyse() -> None:
    document = _cda().encode()
    assert "20 Mio" in _refus(document + b" " * (TAILLE_MAX + 1 - len(document)))
    commentaire = b"<!--" + b"x" * (2**20 - 7) + b"-->"  # 1 Mio - 0 : nœuds de moins de 10 Mo
    rembourre = document + commentaire * 19
    rembourre += b"<!--" + b"x" * (TAILLE_MAX - len(rembourre) - 7) + b"-->"
    assert len(rembourre) == TAILLE_MAX
    assert lire_cda(rembourre).titre == "Essai"


def test_un_document_avec_trop_de_balises_est_refuse_avant_l_analyse() -> None:
    document = _narratif("<br/>" * (MARQUES_MAX + 1)).encode()
    assert len(document) < TAILLE_MAX
    assert "trop de balises" in _refus(document)


def test_un_texte_de_plus_de_10_mo_d_un_seul_tenant_est_refuse() -> None:
    pdf = base64.b64encode(b"%PDF-" + b"0" * 8_000_000).decode()
    assert "limite" in _refus(_pdf(pdf))


@pytest.mark.parametrize(
    "texte_b64",
    ["JVBERi0x!!!", "JVBERi0xLjQ", "====", "JVBERi0xLjQK=", "JVBERi0xLjQK\u00e9", "JVBERi0xLjR="],
    ids=[
        "caracteres",
        "bourrage-manquant",
        "bourrage-seul",
        "bourrage-en-trop",
        "non-ascii",
        "bits-parasites",
    ],
)
def test_un_base64_invalide_est_refuse(texte_b64: str) -> None:
    assert "base64" in _refus(_pdf(texte_b64))


def test_un_contenu_base64_qui_n_est_pas_un_pdf_est_refuse() -> None:
    charge = base64.b64encode(b"<html><script>alert(1)</script></html>").decode()
    assert "n'est pas un PDF" in _refus(_pdf(charge))


def test_un_pdf_vide_non_base64_ou_compresse_est_refuse() -> None:
    pdf = base64.b64encode(b"%PDF-1.4\n").decode()
    assert "vide" in _refus(_pdf(" \n "))
    assert "base64" in _refus(_pdf(pdf, 'mediaType="application/pdf"'))
    compresse = 'mediaType="application/pdf" representation="B64" compression="DF"'
    assert "compressé" in _refus(_pdf(pdf, compresse))
    assert lire_cda(_pdf(pdf, 'mediaType="Application/PDF" representation="b64"')).pdf_integre


def test_un_narratif_hostile_ne_produit_aucun_balisage_dangereux() -> None:
    doc = lire_cda(_fichier("narratif_hostile.xml"))
    (section,) = doc.sections
    html = section.html
    _verifier_html_sur(html)
    balisage = " ".join(re.findall(r"<[^>]*>", html)).lower()  # le texte n'a ni < ni >
    for interdit in ("script", "img", "<a", "iframe", "<b>", "<b ", "style", "href", "src", "on"):
        assert interdit not in balisage.replace("strong", ""), interdit
    assert "=" not in balisage  # aucun attribut : les colspan hostiles sont tombés
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # du texte, échappé
    assert "&lt;/p&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert "cliquez ici" in html and "<span><strong>gras</strong></span>" in html
    assert "<td>cellule</td>" in html
    assert section.titre == 'Attaques <script>alert("titre")</script>'  # texte brut, à échapper


# --- Propriétés (hypothesis) -----------------------------------------------------------------

_MORCEAUX = [
    "<",
    ">",
    "</",
    "/>",
    "=",
    '"',
    "&",
    "&amp;",
    "&lol;",
    "&#0;",
    "&#x3C;",
    '<?xml version="1.0"?>',
    '<?xml version="1.0" encoding="UTF-16"?>',
    '<?xml version="1.0" encoding="UTF-7"?>',
    "<!DOCTYPE a>",
    '<!ENTITY x "y">',
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    '<ClinicalDocument xmlns="urn:hl7-org:v3">',
    "</ClinicalDocument>",
    "<component>",
    "</component>",
    "<structuredBody>",
    "</structuredBody>",
    "<section>",
    "</section>",
    "<text>",
    "</text>",
    "<nonXMLBody>",
    "</nonXMLBody>",
    '<text mediaType="application/pdf" representation="B64">',
    "JVBERi0xLjQK",
    "<recordTarget><patientRole>",
    '<id root="1.2.250.1.213.1.4.8" extension="1"/>',
    "</patientRole></recordTarget>",
    "<effectiveTime value='2024'/>",
    "<paragraph>",
    "</paragraph>",
    "<list listType='ordered'><item>",
    "</item></list>",
    "<table><tr><td colspan='x'>",
    "</td></tr></table>",
    "<script>",
    "\ufeff",
    "\x00",
]
_XML_APPROCHE = st.lists(
    st.one_of(st.sampled_from(_MORCEAUX), st.text(max_size=6)), max_size=40
).map("".join)
_PREFIXE_VALIDE = (
    '<ClinicalDocument xmlns="urn:hl7-org:v3"><component><structuredBody><component><section><text>'
)


def _lire_ou_refuser(donnees: bytes) -> None:
    try:
        doc = lire_cda(donnees)
    except CDAInvalide as refus:
        assert isinstance(refus.message, str) and refus.message
    else:
        assert isinstance(doc, DocumentCDA)
        _verifier_document(doc)


@settings(deadline=None)
@given(st.binary(max_size=2048))
def test_des_octets_quelconques_sont_lus_ou_refuses_proprement(donnees: bytes) -> None:
    _lire_ou_refuser(donnees)


@settings(deadline=None)
@given(
    _XML_APPROCHE,
    st.sampled_from(["", _PREFIXE_VALIDE]),
    st.sampled_from(["utf-8", "utf-16", "latin-1"]),
)
def test_du_texte_presque_xml_est_lu_ou_refuse_proprement(
    texte: str, prefixe: str, encodage: str
) -> None:
    _lire_ou_refuser((prefixe + texte).encode(encodage, errors="replace"))


_NOMS = [
    "paragraph", "content", "list", "item", "table", "thead", "tbody", "tfoot", "tr", "th",
    "td", "caption", "col", "colgroup", "br", "sub", "sup", "linkHtml", "footnote",
    "footnoteRef", "renderMultiMedia", "script", "img", "a", "iframe", "style", "text",
    "{http://www.w3.org/1999/xhtml}script", "{http://www.w3.org/1999/xhtml}a",
]  # fmt: skip
_ATTRIBUTS = [
    "styleCode", "listType", "colspan", "rowspan", "onclick", "onerror", "style", "href",
    "src", "class", "ID", "referencedObject",
]  # fmt: skip
_TEXTE_XML = st.lists(
    st.one_of(
        st.characters(
            codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff"
        ),
        st.sampled_from(["<", ">", "&", '"', "'", "\n", "\t", "<script>", "javascript:", "&lt;"]),
    ),
    max_size=8,
).map("".join)
_VALEURS = st.one_of(
    _TEXTE_XML,
    st.sampled_from(["Bold", "Italics Underline", "ordered", "2", "0", "1001", "javascript:x"]),
)
_FEUILLE = st.tuples(
    st.sampled_from(_NOMS),
    st.dictionaries(st.sampled_from(_ATTRIBUTS), _VALEURS, max_size=3),
    _TEXTE_XML,
    st.just(()),
    _TEXTE_XML,
)
_ARBRE = st.recursive(
    _FEUILLE,
    lambda enfants: st.tuples(
        st.sampled_from(_NOMS),
        st.dictionaries(st.sampled_from(_ATTRIBUTS), _VALEURS, max_size=3),
        _TEXTE_XML,
        st.lists(enfants, max_size=4).map(tuple),
        _TEXTE_XML,
    ),
    max_leaves=25,
)


def _construire(parent: Any, noeud: tuple[Any, ...]) -> None:
    nom, attributs, texte, enfants, queue = noeud
    element = etree.SubElement(parent, nom if nom.startswith("{") else "{urn:hl7-org:v3}" + nom)
    for cle, valeur in attributs.items():
        element.set(cle, valeur)
    element.text, element.tail = texte, queue
    for enfant in enfants:
        _construire(element, enfant)


@settings(deadline=None)
@given(st.lists(_ARBRE, max_size=4), _TEXTE_XML)
def test_un_narratif_quelconque_ne_produit_que_des_balises_permises(
    arbres: list[tuple[Any, ...]], texte: str
) -> None:
    racine = etree.fromstring(_narratif("").encode())
    (bloc,) = racine.iter("{urn:hl7-org:v3}text")
    bloc.text = texte
    for arbre in arbres:
        _construire(bloc, arbre)
    doc = lire_cda(etree.tostring(racine, xml_declaration=True, encoding="UTF-8"))
    _verifier_html_sur(doc.sections[0].html)


def test_la_liste_blanche_du_module_est_celle_de_la_consigne() -> None:
    assert BALISES_HTML == BALISES_AUTORISEES
