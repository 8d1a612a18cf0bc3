"""The one chart module (espace_sante/lib/graphiques.py), shared by the measures' curves, the lab
results' curves and the reimbursements' bars: round ticks, French numbers, the legend and each
series' reference band, values inside the frame the right way up, labels that fit at 320 px."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import pairwise

import pytest

from espace_sante.lib.graphiques import (
    CADRE,
    GRADUATIONS,
    TAILLE_TEXTE,
    Cadre,
    Releve,
    barres,
    courbe,
    echelle,
    largeur_texte,
    nombre_fr,
)

MOINS, FINE = "\u2212", "\u202f"


def _releve(jour: date, valeur: float, basse: float | None = None) -> Releve:
    return Releve(jour=jour, valeur=valeur, valeur_basse=basse, libelle=f"{jour} : {valeur}")


def test_the_frame_gives_the_drawing_area_and_where_labels_go() -> None:
    cadre = Cadre(largeur=360, hauteur=230, gauche=44, bas=28, haut=32, droite=8)

    assert (cadre.interieur_largeur, cadre.interieur_hauteur) == (308, 170)
    assert (cadre.base, cadre.droite_x) == (202, 352)
    assert (cadre.x_graduations, cadre.y_abscisses, cadre.y_unite) == (40, 224, 22)


def test_text_stays_at_least_12_px_on_a_320_px_screen() -> None:
    # 320 px less the page's 16 px margins on each side: the SVG is 288 px wide.
    assert TAILLE_TEXTE * 288 / CADRE.largeur >= 12


def test_a_curve_runs_left_to_right_from_the_oldest_and_higher_values_are_higher_up() -> None:
    graphique = courbe(
        [_releve(date(2026, 1, 10), 70), _releve(date(2026, 2, 10), 72.5)],
        reference=None,
        titre="Poids",
        description="2 mesures",
        unite="kg",
    )

    premier, second = graphique.points
    cadre = graphique.cadre
    assert (premier.x, second.x) == (cadre.gauche, cadre.droite_x)
    assert second.y < premier.y
    assert cadre.haut < second.y and premier.y < cadre.base  # a margin around the values
    assert graphique.ligne == f"{premier.x},{premier.y} {second.x},{second.y}"
    assert graphique.ligne_basse == "" and graphique.bandes == [] and graphique.bande is None
    assert [ancre for _, _, ancre in graphique.dates] == ["start", "end"]
    assert graphique.dates[0][1] == "10/01/2026"
    assert graphique.unite == "kg"
    assert [(e.nom, e.trait, e.reference) for e in graphique.legende] == [("Poids", "plein", "")]


def test_a_single_reading_is_centred_and_its_flat_range_is_widened() -> None:
    graphique = courbe(
        [_releve(date(2026, 1, 10), 70)], reference=None, titre="Poids", description=""
    )

    (point,) = graphique.points
    cadre = graphique.cadre
    assert point.x == cadre.gauche + cadre.interieur_largeur / 2
    assert point.y == (cadre.haut + cadre.base) / 2
    assert graphique.dates == [(point.x, "10/01/2026", "middle")]


def test_blood_pressure_shows_each_series_own_reference_band_and_legend() -> None:
    graphique = courbe(
        [_releve(date(2026, 1, 1), 150, 95), _releve(date(2026, 3, 1), 128, 82)],
        reference=(90, 140),
        reference_basse=(60, 90),
        titre="Tension",
        description="",
        unite="mmHg",
        noms=("Pression systolique", "Pression diastolique"),
        positif=True,
    )

    systolique, diastolique = graphique.bandes
    assert (systolique.serie, diastolique.serie) == ("haute", "basse")
    cadre = graphique.cadre
    assert cadre.haut < systolique.y and diastolique.y + diastolique.hauteur < cadre.base
    # The diastolic band is under the systolic one, touching at 90 mmHg.
    assert diastolique.y == pytest.approx(systolique.y + systolique.hauteur, abs=0.2)
    premier = graphique.points[0]
    assert premier.y < systolique.y  # 150 is above the systolic range
    assert premier.y_bas is not None and premier.y_bas < diastolique.y  # 95 above 60–90
    assert graphique.ligne_basse == " ".join(f"{p.x},{p.y_bas}" for p in graphique.points)
    assert [(e.nom, e.trait, e.reference) for e in graphique.legende] == [
        ("Pression systolique", "plein", "zone de référence : 90 à 140\u00a0mmHg"),
        ("Pression diastolique", "pointille", "zone de référence : 60 à 90\u00a0mmHg"),
    ]


def test_a_decimal_reference_is_written_the_french_way_in_the_legend() -> None:
    graphique = courbe(
        [_releve(date(2026, 1, 1), 0.95)],
        reference=(0.7, 1.1),
        titre="Glycémie",
        description="",
        unite="g/L",
    )
    assert graphique.legende[0].reference == "zone de référence : 0,70 à 1,10\u00a0g/L"


# The ticks: (minimum, maximum, positive quantity) -> the axis' labels, in French.
GRADUES = [
    # The weights (71.8 / 90.4 / 109 before): round tens.
    (72.0, 105.0, True, ["70", "80", "90", "100", "110"]),
    # LDL cholesterol under 1.6 g/L, its band from zero: never below zero.
    (0.0, 1.72, True, ["0,0", "0,5", "1,0", "1,5", "2,0"]),
    (1.38, 1.72, True, ["1,3", "1,4", "1,5", "1,6", "1,7", "1,8"]),
    (0.27, 4.6, True, ["0", "1", "2", "3", "4", "5"]),
    (-3.2, 2.5, False, [f"{MOINS}4", f"{MOINS}2", "0", "2", "4"]),
    (0.012, 0.019, True, ["0,010", "0,012", "0,014", "0,016", "0,018", "0,020"]),
    (5.0, 5.0, True, ["4,0", "4,5", "5,0", "5,5", "6,0"]),
    # Blood pressure with its bands: a step of 25 (2,5 × 10).
    (60.0, 150.0, True, ["50", "75", "100", "125", "150", "175"]),
    # Amounts: thousands with a narrow no-break space.
    (0.0, 1234.5, True, ["0", "500", f"1{FINE}000", f"1{FINE}500"]),
    (0.0, 9.0, True, ["0", "2", "4", "6", "8", "10"]),
    (36.4, 38.9, True, ["36", "37", "38", "39", "40"]),
    (0.0, 21.0, True, ["0", "5", "10", "15", "20", "25"]),
    (0.1, 0.22, True, ["0,05", "0,10", "0,15", "0,20", "0,25"]),
]


@pytest.mark.parametrize(("minimum", "maximum", "positif", "lignes"), GRADUES)
def test_the_axis_has_nice_steps_a_margin_and_french_numbers(
    minimum: float, maximum: float, positif: bool, lignes: list[str]
) -> None:
    axe = echelle(minimum, maximum, positif=positif)
    assert axe.libelles() == lignes
    assert len(axe.valeurs) <= GRADUATIONS + 1
    pas = axe.pas / 10 ** int(f"{axe.pas:e}".split("e")[1])
    assert round(pas, 9) in {1.0, 2.0, 2.5, 5.0}
    # Covering the values with a margin (zero may sit on the axis of a positive quantity).
    assert axe.bas < minimum or (positif and axe.bas == 0 == minimum)
    assert maximum < axe.haut
    if positif:
        assert axe.bas >= 0


@pytest.mark.parametrize(
    ("valeur", "decimales", "texte"),
    [
        (1234.5, 1, f"1{FINE}234,5"),
        (1234567, 0, f"1{FINE}234{FINE}567"),
        (-0.25, 2, f"{MOINS}0,25"),
        (-0.0, 1, "0,0"),
        (70, 0, "70"),
        (Decimal("36.1"), 1, "36,1"),
        (Decimal("-1500.50"), 2, f"{MOINS}1{FINE}500,50"),
    ],
)
def test_numbers_are_written_the_french_way(valeur: float, decimales: int, texte: str) -> None:
    assert nombre_fr(valeur, decimales) == texte


def test_the_left_margin_grows_with_the_longest_label() -> None:
    petit = courbe(
        [_releve(date(2026, 1, 1), 1), _releve(date(2026, 1, 2), 8)],
        reference=None,
        titre="",
        description="",
    )
    grand = courbe(
        [_releve(date(2026, 1, 1), 1000), _releve(date(2026, 1, 2), 12500)],
        reference=None,
        titre="",
        description="",
    )
    assert petit.cadre.gauche == CADRE.gauche
    plus_long = max(largeur_texte(libelle) for _, libelle in grand.graduations)
    assert grand.cadre.gauche >= plus_long + 8 > CADRE.gauche


def test_bars_rise_from_the_axis_in_proportion_on_a_round_axis() -> None:
    graphique = barres(
        [("2024", Decimal("0")), ("2025", Decimal("50.00")), ("2026", Decimal("100.00"))],
        montrer=lambda montant: f"{montant} €",
        titre="Reste à charge",
        description="",
        unite="€",
    )

    cadre = graphique.cadre
    zero, moitie, plein = graphique.barres
    assert (zero.hauteur, zero.y) == (0, cadre.base)
    lignes = [libelle for _, libelle in graphique.graduations]
    assert lignes == ["0", "25", "50", "75", "100", "125"]
    assert plein.hauteur == round(cadre.interieur_hauteur * 100 / 125, 1)
    assert moitie.hauteur == round(cadre.interieur_hauteur * 50 / 125, 1)
    assert zero.x < moitie.x < plein.x and plein.x + plein.largeur <= cadre.droite_x
    assert moitie.libelle == "2025 : 50.00 €" and moitie.etiquette == "2025"
    assert graphique.unite == "€" and [e.trait for e in graphique.legende] == ["barre"]
    assert all(barre.montre for barre in graphique.barres)


def test_bars_never_divide_by_zero_and_stay_narrow_when_few() -> None:
    graphique = barres([("2026", Decimal("0"))], montrer=str, titre="", description="")

    (barre,) = graphique.barres
    cadre = graphique.cadre
    assert barre.hauteur == 0 and barre.largeur == 80
    assert barre.centre == cadre.gauche + cadre.interieur_largeur / 2


def test_many_bars_show_only_labels_that_do_not_overlap_the_latest_always() -> None:
    annees = [(str(annee), Decimal(annee - 2000)) for annee in range(2006, 2027)]
    graphique = barres(annees, montrer=str, titre="", description="")

    montrees = [barre for barre in graphique.barres if barre.montre]
    assert montrees[-1].etiquette == "2026" and len(montrees) < len(annees)
    for gauche, droite in pairwise(montrees):
        assert droite.centre - gauche.centre >= largeur_texte("2026")
