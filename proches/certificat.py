"""The certificate of a carer's delegation (a PDF, fpdf2, built in memory): who gives, who
receives, what and how, since when and until when, its reference and the date of issue."""

from __future__ import annotations

from typing import Any

from django.utils import formats, timezone
from fpdf import FPDF

from profil.models import Delegation

from .aidants import EXPLICATIONS, libelle_mode

# The PDF's built-in fonts cover Latin-1: a few common characters outside it are spelt out.
_HORS_LATIN1 = str.maketrans(
    {"œ": "oe", "Œ": "OE", "’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "..."}
)


def _texte(valeur: Any) -> str:
    texte = str(valeur or "").translate(_HORS_LATIN1)
    return texte.encode("latin-1", "replace").decode("latin-1")


def _date(jour: Any) -> str:
    return formats.date_format(jour, "d/m/Y") if jour else ""


def lignes(delegation: Delegation) -> list[tuple[str, str]]:
    """The certificate's facts, label and value."""
    aidant = delegation.aidant
    assert aidant is not None  # only an accepted delegation has a certificate
    if delegation.revoquee_le is not None:
        jusqu_au = f"{_date(timezone.localtime(delegation.revoquee_le))} (retirée)"
    elif delegation.fin is not None:
        jusqu_au = _date(delegation.fin)
    else:
        jusqu_au = "sans date de fin (jusqu'à ce que l'un des deux y mette fin)"
    return [
        ("Personne qui donne l'accès", delegation.espace.nom_complet),
        ("Aidant", aidant.nom_complet),
        ("Ce que l'aidant voit", str(EXPLICATIONS[delegation.perimetre])),
        ("Ce que l'aidant peut faire", str(libelle_mode(delegation.ecriture))),
        ("Depuis le", _date(timezone.localtime(delegation.acceptee_le))),
        ("Jusqu'au", jusqu_au),
        ("Référence", str(delegation.uuid)),
        ("Attestation établie le", _date(timezone.localdate())),
    ]


def attestation_pdf(delegation: Delegation) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    titre = "Attestation de délégation à un aidant"
    pdf.set_title(_texte(titre))
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 9, _texte(titre), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(
        0,
        6,
        _texte(
            "Espace Santé atteste que la personne ci-dessous a donné à son aidant un accès à "
            "son espace santé, dans les conditions suivantes."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    for libelle, valeur in lignes(delegation):
        pdf.set_font("Helvetica", "B", 11)
        pdf.multi_cell(0, 6, _texte(f"{libelle} :"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 11)
        pdf.multi_cell(0, 6, _texte(valeur), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    pdf.ln(3)
    pdf.set_font("Helvetica", "I", 9)
    pdf.multi_cell(
        0,
        5,
        _texte(
            "L'aidant ne gère jamais l'espace (professionnels autorisés, proches, réglages, "
            "clôture) et ne peut pas déléguer à son tour. Chacun des deux peut mettre fin à "
            "la délégation à tout moment depuis la page « Proches » de son espace santé ; "
            "chaque action de l'aidant est inscrite à l'historique d'activité."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
