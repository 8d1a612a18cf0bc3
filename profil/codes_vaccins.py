"""Which vaccine a code or a product name stands for: the carnet's families (DESIGN.md §6).

The calendar (``vaccination.py``) knows ten families (``FAMILLES``). Documents name vaccines
by codes — the WHO's ATC classification (``J07…``), the French product codes CIS and CIP (the
BDPM) — and by product names. This module maps them to a family: one of the calendar's, which
then counts for the calendar, or one of ``FAMILLES_HORS_CALENDRIER`` (a vaccine the carnet
shows but the calendar does not track: tetanus alone, hepatitis B alone, travel vaccines…).
The mapping is our data, documented in docs/VACCINATION.md ("Vaccinations read from the
documents"); pure, no Django.

The ATC class decides first (the most specific prefix wins). Without one we know, a CIS or CIP
code from the national examples, then the product name (the brand names sold in France, by
their first words). Otherwise the vaccine is unknown: the caller reports it and keeps nothing.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from .vaccination import FAMILLES

__all__ = [
    "FAMILLES_HORS_CALENDRIER",
    "LIBELLES",
    "SYSTEMES",
    "CodeLu",
    "VaccinationLue",
    "famille_de",
    "libelle_famille",
]

# A family code is stored encrypted in ``Vaccination.famille`` (20 characters at most).
FAMILLES_HORS_CALENDRIER: Mapping[str, str] = MappingProxyType(
    {
        "Tetanos": "Tétanos (sans la poliomyélite)",
        "Diphterie": "Diphtérie",
        "Coqueluche": "Coqueluche",
        "Polio": "Poliomyélite (seule)",
        "Hib": "Haemophilus influenzae b",
        "HepB": "Hépatite B",
        "HepA-HepB": "Hépatites A et B",
        "MenC": "Méningocoque C",
        "Meningocoque": "Méningocoques (autre vaccin)",
        "Pneumo-VPP23": "Pneumocoque (vaccin polyosidique 23-valent)",
        "Rougeole": "Rougeole (seule)",
        "Oreillons": "Oreillons (seuls)",
        "Rubeole": "Rubéole (seule)",
        "Varicelle": "Varicelle",
        "Zona-vivant": "Zona (vaccin vivant atténué)",
        "FievreJaune": "Fièvre jaune",
        "Typhoide": "Fièvre typhoïde",
        "Typhoide-HepA": "Fièvre typhoïde et hépatite A",
        "Rage": "Rage",
        "Encephalite-tiques": "Encéphalite à tiques",
        "Encephalite-japon": "Encéphalite japonaise",
        "Cholera": "Choléra",
    }
)
LIBELLES: Mapping[str, str] = MappingProxyType({**FAMILLES, **FAMILLES_HORS_CALENDRIER})


def libelle_famille(famille: str) -> str:
    """The family's name for display (its code when unknown)."""
    return LIBELLES.get(famille, famille)


# --- Code systems ------------------------------------------------------------------------------

OID_ATC = "2.16.840.1.113883.6.73"
OID_ATC_CNAM = "1.2.250.1.215.200.1.2.2"  # JDV_BDM_ATC_CNAM-HR_CISIS (ATC, 7 characters)
OID_CIS = "1.2.250.1.213.2.3.1"
OID_CIP = frozenset(
    {
        "1.2.250.1.213.2.3.2",  # CIP, as the CI-SIS examples write it
        "1.2.250.1.213.2.3.3",  # CIP (VAC-NOTE 2021.01's example)
        "1.2.250.1.215.200.1.1.1",  # JDV_BDM_CNAM-HR_CISIS, CIP codes
    }
)
OID_UCD_CNAM = "1.2.250.1.215.200.1.1.2"
OID_CVX = "2.16.840.1.113883.12.292"

SYSTEMES: Mapping[str, str] = MappingProxyType(
    {
        OID_ATC: "ATC",
        OID_ATC_CNAM: "ATC",
        OID_CIS: "CIS",
        **dict.fromkeys(OID_CIP, "CIP"),
        OID_UCD_CNAM: "UCD",
        OID_CVX: "CVX",
    }
)


@dataclass(frozen=True, slots=True)
class CodeLu:
    """A code as the document writes it: its system's OID, the code, its display name."""

    systeme: str
    code: str
    libelle: str = ""

    @property
    def nom_systeme(self) -> str:
        return SYSTEMES.get(self.systeme, "")

    def __str__(self) -> str:
        return f"{self.nom_systeme or self.systeme} {self.code}".strip()


@dataclass(frozen=True, slots=True)
class VaccinationLue:
    """One vaccination read from a document, ready for the carnet (``famille`` is known)."""

    famille: str
    date: date
    produit: str = ""
    code: str = ""
    lot: str = ""
    rang: int | None = None
    rappel: bool = False
    vaccinateur: str = ""


# --- ATC classes (WHO ATC, group J07) -----------------------------------------------------------

_ATC: Mapping[str, str] = MappingProxyType(
    {
        # Calendar families.
        "J07CA01": "DTP",  # diphtheria-poliomyelitis-tetanus
        "J07CA02": "DTP",  # diphtheria-pertussis-poliomyelitis-tetanus
        "J07CA06": "DTP",  # … with Haemophilus influenzae b
        "J07CA09": "DTP",  # … with Haemophilus influenzae b and hepatitis B (hexavalent)
        "J07CA12": "DTP",  # diphtheria-pertussis-poliomyelitis-tetanus-hepatitis B
        "J07AL02": "Pneumocoque",  # conjugated polysaccharide antigen
        "J07AL52": "Pneumocoque",  # conjugated, with Haemophilus influenzae
        "J07BH": "Rotavirus",
        "J07AH06": "MenB",  # outer membrane vesicle vaccine
        "J07AH09": "MenB",  # multicomponent vaccine
        "J07AH08": "MenACWY",  # tetravalent, conjugated
        "J07BD52": "ROR",  # measles with mumps and rubella
        "J07BD54": "ROR",  # measles, mumps, rubella and varicella
        "J07BM": "HPV",
        "J07BK03": "Zona",  # purified antigen (Shingrix)
        "J07BB": "Grippe",
        "J07BN": "COVID-19",
        "J07BX03": "COVID-19",  # the code COVID-19 vaccines had before J07BN (2022)
        "J07BX05": "VRS",  # respiratory syncytial virus vaccines (Abrysvo, Arexvy, mResvia)
        "J06BD08": "VRS",  # nirsevimab (Beyfortus): an antibody, given to infants as a vaccine
        "J06BD01": "VRS",  # palivizumab (Synagis), the older antibody for infants at risk
        # Vaccines the calendar does not track.
        "J07AE": "Cholera",
        "J07AF": "Diphterie",
        "J07AG": "Hib",
        "J07AH07": "MenC",
        "J07AH": "Meningocoque",
        "J07AJ": "Coqueluche",
        "J07AL01": "Pneumo-VPP23",
        "J07AM": "Tetanos",
        "J07AN": "BCG",
        "J07AP": "Typhoide",
        "J07BA01": "Encephalite-tiques",
        "J07BA02": "Encephalite-japon",
        "J07BC01": "HepB",
        "J07BC02": "HepA",
        "J07BC20": "HepA-HepB",
        "J07BD01": "Rougeole",
        "J07BE": "Oreillons",
        "J07BF": "Polio",
        "J07BG": "Rage",
        "J07BJ": "Rubeole",
        "J07BK01": "Varicelle",
        "J07BK02": "Zona-vivant",
        "J07BL": "FievreJaune",
        "J07CA10": "Typhoide-HepA",
    }
)

# CIS and CIP codes met in the national examples (the BDPM, which would give them all, is not
# in the project's reference data): docs/VACCINATION.md.
_PRODUITS: Mapping[str, str] = MappingProxyType(
    {
        "68747507": "Tetanos",  # CIS: VACCIN TETANIQUE PASTEUR
        "3400932857241": "Tetanos",  # CIP: VACCIN TETANIQUE PASTEUR, 1 seringue de 0,5 ml
        "3400936924642": "HepB",  # CIP: HBVAXPRO 10 microgrammes/ml
    }
)

# Product names (brands sold in France, and the generic names of the Pasteur vaccines), matched
# on the first words of the name, capitals and accents aside; the longest match wins.
_NOMS: Mapping[str, str] = MappingProxyType(
    {
        **dict.fromkeys(
            [
                "INFANRIX HEXA",
                "INFANRIXHEXA",
                "HEXYON",
                "VAXELIS",
                "INFANRIX QUINTA",
                "INFANRIXQUINTA",
                "PENTAVAC",
                "INFANRIX TETRA",
                "INFANRIXTETRA",
                "TETRAVAC",
                "REPEVAX",
                "BOOSTRIXTETRA",
                "REVAXIS",
                "DTPOLIO",
            ],
            "DTP",
        ),
        **dict.fromkeys(["PREVENAR", "VAXNEUVANCE", "APEXXNAR", "SYNFLORIX"], "Pneumocoque"),
        **dict.fromkeys(["ROTARIX", "ROTATEQ"], "Rotavirus"),
        **dict.fromkeys(["BEXSERO", "TRUMENBA"], "MenB"),
        **dict.fromkeys(["NIMENRIX", "MENQUADFI", "MENVEO"], "MenACWY"),
        **dict.fromkeys(["PRIORIX", "M-M-RVAXPRO", "MMRVAXPRO", "PROQUAD"], "ROR"),
        **dict.fromkeys(["GARDASIL", "CERVARIX"], "HPV"),
        "SHINGRIX": "Zona",
        **dict.fromkeys(["BEYFORTUS", "ABRYSVO", "AREXVY", "MRESVIA", "SYNAGIS"], "VRS"),
        **dict.fromkeys(
            [
                "VAXIGRIP",
                "VAXIGRIPTETRA",
                "INFLUVAC",
                "FLUARIX",
                "FLUARIXTETRA",
                "EFLUELDA",
                "FLUAD",
                "FLUENZ",
                "SUPEMTEK",
            ],
            "Grippe",
        ),
        **dict.fromkeys(
            ["COMIRNATY", "SPIKEVAX", "NUVAXOVID", "VAXZEVRIA", "JCOVDEN", "BIMERVAX"],
            "COVID-19",
        ),
        "VACCIN TETANIQUE": "Tetanos",
        **dict.fromkeys(["ENGERIX", "HBVAXPRO", "FENDRIX", "HEPLISAV"], "HepB"),
        **dict.fromkeys(["HAVRIX", "AVAXIM", "VAQTA"], "HepA"),
        "TWINRIX": "HepA-HepB",
        **dict.fromkeys(["NEISVAC", "MENJUGATE"], "MenC"),
        "PNEUMOVAX": "Pneumo-VPP23",
        **dict.fromkeys(["VARIVAX", "VARILRIX"], "Varicelle"),
        "ZOSTAVAX": "Zona-vivant",
        "ACT-HIB": "Hib",
        "BCG": "BCG",
        "STAMARIL": "FievreJaune",
        "TYPHIM": "Typhoide",
        "TYAVAX": "Typhoide-HepA",
        **dict.fromkeys(["VACCIN RABIQUE", "RABIPUR", "VERORAB"], "Rage"),
        **dict.fromkeys(["TICOVAC", "ENCEPUR"], "Encephalite-tiques"),
        "IXIARO": "Encephalite-japon",
        **dict.fromkeys(["DUKORAL", "VAXCHORA"], "Cholera"),
    }
)


def _normaliser(texte: str) -> str:
    sans_accents = unicodedata.normalize("NFKD", texte).encode("ascii", "ignore").decode()
    return " ".join(sans_accents.upper().replace(",", " ").split())


def famille_atc(code: str) -> str | None:
    """The family of an ATC code (``J07AM``, ``J07AM01``…), the most specific prefix first."""
    code = code.strip().upper()
    for longueur in range(len(code), 4, -1):  # J07… classes and the J06BD antibodies
        famille = _ATC.get(code[:longueur])
        if famille is not None:
            return famille
    return None


def famille_nom(nom: str) -> str | None:
    """The family of a product name, by its first words (``Gardasil 9, suspension…``)."""
    normalise = _normaliser(nom)
    trouves = [
        marque
        for marque in _NOMS
        if normalise == marque
        or normalise.startswith(marque + " ")
        or normalise.startswith(marque + "-")
        or normalise.startswith(marque + ",")
    ]
    return _NOMS[max(trouves, key=len)] if trouves else None


def famille_de(codes: Iterable[CodeLu], noms: Iterable[str] = ()) -> str | None:
    """The family of a vaccine from its codes (ATC first, then CIS/CIP) and, failing that, its
    product names; ``None`` when none is known."""
    codes = list(codes)
    for code in codes:
        if code.systeme in (OID_ATC, OID_ATC_CNAM) and (famille := famille_atc(code.code)):
            return famille
    for code in codes:
        if code.nom_systeme in ("CIS", "CIP") and (famille := _PRODUITS.get(code.code.strip())):
            return famille
    for nom in [*noms, *(code.libelle for code in codes)]:
        if nom and (famille := famille_nom(nom)):
            return famille
    return None
