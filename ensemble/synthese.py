"""The one-page summary of the medical profile (issue 6): allergies, treatments, history,
vaccinations, and whether directives anticipées exist — to print and bring to a consultation,
or to keep in the dossier as a DOCPAT08 document. Built in memory (fpdf2), never on disk."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import formats, timezone
from fpdf import FPDF

from espace_sante.acces import AccesPatient, entrees_profil_lisibles
from profil import profil_medical as pm
from profil.carnet_vaccinal import carnet
from profil.models import (
    Allergie,
    Antecedent,
    Espace,
    Mesure,
    PersonneAPrevenir,
    Traitement,
)

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


@dataclass(frozen=True)
class Rubrique:
    titre: str
    lignes: list[str]
    vide: str


def resume_pdf(*, titre: str, sous_titre: str, rubriques: list[Rubrique]) -> bytes:
    """A PDF of titled lists: the profile's summary, the export's summary."""
    pdf = _Page(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_title(_texte(titre))
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 9, _texte(titre), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 6, _texte(sous_titre), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for rubrique in rubriques:
        pdf.set_font("Helvetica", "B", 12)
        pdf.multi_cell(0, 7, _texte(rubrique.titre), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        for ligne in rubrique.lignes or [rubrique.vide]:
            pdf.multi_cell(0, 5, _texte(f"- {ligne}"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    return bytes(pdf.output())


def _mesure(mesure: Mesure) -> str:
    valeur = f"{mesure.valeur}" + (f"/{mesure.valeur_basse}" if mesure.valeur_basse else "")
    return f"{_date(mesure.date)} : {mesure.get_type_display()} {valeur}"


def rubriques_profil(
    *, acces: AccesPatient, complet: bool, renvoi_directives: str
) -> list[Rubrique]:
    """The profile as this person may read it (the policy's ``entrees_profil_lisibles``: a
    legal representative never reads a minor's secret). ``complet``: every section (the
    export); otherwise what fits on the one-page summary to bring to a consultation."""

    def lues(modele: Any) -> Any:
        return entrees_profil_lisibles(acces=acces, modele=modele)

    vaccinations = carnet(acces=acces)  # the space's entries and the documents', merged
    confiance = pm.unique(acces=acces, cle="personne_confiance")
    directives = pm.unique(acces=acces, cle="directives")
    rubriques = [
        Rubrique(
            "Allergies et intolérances",
            [
                f"{a.substance} ({a.get_severite_display().lower()})"
                + (f" : {a.reaction}" if a.reaction else "")
                for a in lues(Allergie)
            ],
            "aucune allergie notée",
        ),
        Rubrique(
            "Traitements en cours",
            [
                f"{t.medicament}"
                + (f", {t.dose}" if t.dose else "")
                + (f" (depuis le {_date(t.depuis)})" if t.depuis else "")
                for t in lues(Traitement)
            ],
            "aucun traitement noté",
        ),
        Rubrique(
            "Antécédents",
            [
                f"{a.get_nature_display()} : {a.libelle}"
                + (f" ({_date(a.date)})" if a.date else "")
                for a in lues(Antecedent)
            ],
            "aucun antécédent noté",
        ),
        Rubrique(
            "Vaccinations",
            [
                f"{_date(v.date)} : {v.libelle}"
                for v in (vaccinations if complet else vaccinations[:20])
            ],
            "aucune vaccination notée",
        ),
    ]
    if complet:
        habitudes = pm.unique(acces=acces, cle="habitudes")
        rubriques += [
            Rubrique("Mesures", [_mesure(m) for m in lues(Mesure)], "aucune mesure notée"),
            Rubrique(
                "Habitudes de vie",
                [
                    f"{habitudes._meta.get_field(nom).verbose_name} : {getattr(habitudes, nom)}"
                    for nom in ["tabac", "alcool", "activite", "sommeil", "alimentation"]
                    if getattr(habitudes, nom)
                ]
                if habitudes
                else [],
                "non renseignées",
            ),
        ]
    rubriques.append(
        Rubrique(
            "Personne de confiance",
            [
                f"{confiance.nom}"
                + (f" ({confiance.lien})" if confiance.lien else "")
                + (f", {confiance.telephone}" if confiance.telephone else "")
            ]
            if confiance
            else [],
            "non désignée",
        )
    )
    if complet:
        rubriques.append(
            Rubrique(
                "Personnes à prévenir",
                [
                    f"{p.nom}" + (f" ({p.lien})" if p.lien else "") + f", {p.telephone}"
                    for p in lues(PersonneAPrevenir)
                ],
                "aucune",
            )
        )
    rubriques.append(
        Rubrique(
            "Directives anticipées",
            [f"rédigées le {_date(directives.fait_le)} : {renvoi_directives}"]
            if directives
            else [],
            "non rédigées dans l'espace santé",
        )
    )
    if complet:
        don = pm.unique(acces=acces, cle="don_organes")
        rubriques.append(
            Rubrique(
                "Don d'organes",
                [str(don.get_position_display()) + (f" ({don.precision})" if don.precision else "")]
                if don
                else [],
                "position non indiquée",
            )
        )
    return rubriques


def synthese_pdf(*, acces: AccesPatient) -> bytes:
    espace = acces.espace
    return resume_pdf(
        titre="Synthèse de mon profil médical",
        sous_titre=(
            f"{espace.prenoms} {espace.nom_naissance}, "
            f"date de naissance : {_date(espace.date_naissance)}"
        ),
        rubriques=rubriques_profil(acces=acces, complet=False, renvoi_directives="voir le dossier"),
    )


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
        _texte(
            f"{espace.prenoms} {espace.nom_naissance}, "
            f"date de naissance : {_date(espace.date_naissance)}"
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    for titre, valeur in [
        ("Ma situation", directives.get_situation_display()),
        ("Traitements qui me maintiendraient artificiellement en vie", directives.traitements),
        ("Réanimation cardiaque et respiratoire", directives.reanimation),
        ("Soulagement des souffrances", directives.douleur),
        ("Le lieu où je souhaite recevoir des soins en fin de vie", directives.lieu),
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
