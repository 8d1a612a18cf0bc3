"""The one-page summary of the medical profile (issue 6): allergies, treatments, history,
vaccinations, and whether directives anticipées exist — to print and bring to a consultation,
or to keep in the dossier as a DOCPAT08 document. Built in memory (fpdf2), never on disk."""

from __future__ import annotations

from typing import Any

from django.utils import formats, timezone
from fpdf import FPDF

from .models import Allergie, Antecedent, Espace, Traitement, Vaccination
from .vaccination import FAMILLES

# The PDF's built-in fonts cover Latin-1: a few common characters outside it are spelt out.
_HORS_LATIN1 = str.maketrans(
    {"œ": "oe", "Œ": "OE", "’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "..."}
)


def _texte(valeur: Any) -> str:
    texte = str(valeur or "").translate(_HORS_LATIN1)
    return texte.encode("latin-1", "replace").decode("latin-1")


def _date(jour: Any) -> str:
    return formats.date_format(jour, "d/m/Y") if jour else ""


class _Page(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", "I", 8)
        self.cell(
            0,
            5,
            _texte(
                f"Espace Santé - synthèse établie le {_date(timezone.localdate())} "
                "à partir des informations saisies dans le profil médical."
            ),
            align="C",
        )


def synthese_pdf(
    *, espace: Espace, directives: bool = False, personne_confiance: Any = None
) -> bytes:
    pdf = _Page(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_title(_texte(f"Synthèse médicale - {espace.prenoms} {espace.nom_naissance}"))
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 9, _texte("Synthèse de mon profil médical"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(
        0,
        6,
        _texte(f"{espace.prenoms} {espace.nom_naissance}, né(e) le {_date(espace.date_naissance)}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)

    def rubrique(titre: str, lignes: list[str], vide: str) -> None:
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(0, 7, _texte(titre), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        for ligne in lignes or [vide]:
            pdf.multi_cell(0, 5, _texte(f"- {ligne}"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)

    rubrique(
        "Allergies et intolérances",
        [
            f"{a.substance} ({a.get_severite_display().lower()})"
            + (f" : {a.reaction}" if a.reaction else "")
            for a in Allergie.objects.filter(espace=espace)
        ],
        "aucune allergie notée",
    )
    rubrique(
        "Traitements en cours",
        [
            f"{t.medicament}"
            + (f", {t.dose}" if t.dose else "")
            + (f" (depuis le {_date(t.depuis)})" if t.depuis else "")
            for t in Traitement.objects.filter(espace=espace)
        ],
        "aucun traitement noté",
    )
    rubrique(
        "Antécédents",
        [
            f"{a.get_nature_display()} : {a.libelle}" + (f" ({_date(a.date)})" if a.date else "")
            for a in Antecedent.objects.filter(espace=espace)
        ],
        "aucun antécédent noté",
    )
    rubrique(
        "Vaccinations",
        [
            f"{_date(v.date)} : {FAMILLES.get(v.famille, v.famille)}"
            for v in Vaccination.objects.filter(espace=espace).order_by("-date")[:20]
        ],
        "aucune vaccination notée",
    )
    rubrique(
        "Personne de confiance",
        [
            f"{personne_confiance.nom}"
            + (f" ({personne_confiance.lien})" if personne_confiance.lien else "")
            + (f", {personne_confiance.telephone}" if personne_confiance.telephone else "")
        ]
        if personne_confiance
        else [],
        "non désignée",
    )
    rubrique(
        "Directives anticipées",
        ["rédigées : voir le dossier" if directives else "non rédigées dans l'espace santé"],
        "",
    )
    return bytes(pdf.output())


def directives_pdf(*, espace: Espace, directives: Any) -> bytes:
    """The directives anticipées, printable, in the order of the official model form."""
    pdf = _Page(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 9, _texte("Mes directives anticipées"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(
        0,
        6,
        _texte(f"{espace.prenoms} {espace.nom_naissance}, né(e) le {_date(espace.date_naissance)}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    for titre, valeur in [
        ("Ma situation", directives.get_situation_display()),
        ("Traitements qui me maintiendraient artificiellement en vie", directives.traitements),
        ("Réanimation cardiaque et respiratoire", directives.reanimation),
        ("Soulagement des souffrances", directives.douleur),
        ("Où je souhaite être soigné(e) en fin de vie", directives.lieu),
        ("Mes autres volontés", directives.autres),
        ("Témoins", directives.temoins),
    ]:
        pdf.set_font("Helvetica", "B", 12)
        pdf.multi_cell(0, 7, _texte(titre), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(0, 5, _texte(valeur or "(non renseigné)"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.ln(4)
    pdf.multi_cell(
        0,
        5,
        _texte(
            f"Fait à {directives.fait_a or '...'}, le {_date(directives.fait_le)}.\n\nSignature :"
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
