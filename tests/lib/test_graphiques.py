"""The SVG charts' geometry (espace_sante/lib/graphiques.py), shared by the measures' curves and
the reimbursements' bars: values become pixels inside the frame, the right way up."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from espace_sante.lib.graphiques import (
    CADRE,
    GRADUATIONS,
    Cadre,
    Releve,
    barres,
    courbe,
    echelle,
    nombre_axe,
)


def _releve(jour: date, valeur: float, basse: float | None = None) -> Releve:
    return Releve(jour=jour, valeur=valeur, valeur_basse=basse, libelle=f"{jour} : {valeur}")


def test_the_frame_gives_the_drawing_area_and_where_labels_go() -> None:
    cadre = Cadre(largeur=560, hauteur=220, gauche=56, bas=28, haut=20, droite=12)

    assert (cadre.interieur_largeur, cadre.interieur_hauteur) == (492, 172)
    assert (cadre.base, cadre.droite_x) == (192, 548)
    assert (cadre.x_graduations, cadre.y_abscisses) == (52, 212)


def test_a_curve_runs_left_to_right_from_the_oldest_and_higher_values_are_higher_up() -> None:
    graphique = courbe(
        [_releve(date(2026, 1, 10), 70), _releve(date(2026, 2, 10), 72.5)],
        reference=None,
        titre="Poids",
        description="2 mesures",
    )

    premier, second = graphique.points
    assert (premier.x, second.x) == (CADRE.gauche, CADRE.droite_x)
    assert second.y < premier.y
    assert CADRE.haut <= second.y and premier.y <= CADRE.base
    assert graphique.ligne == f"{premier.x},{premier.y} {second.x},{second.y}"
    assert graphique.ligne_basse == "" and graphique.bande is None
    assert [ancre for _, _, ancre in graphique.dates] == ["start", "end"]
    assert graphique.dates[0][1] == "10/01/2026"


def test_a_single_reading_is_centred_and_its_flat_range_is_widened() -> None:
    graphique = courbe(
        [_releve(date(2026, 1, 10), 70)], reference=None, titre="Poids", description=""
    )

    (point,) = graphique.points
    assert point.x == CADRE.gauche + CADRE.interieur_largeur / 2
    assert point.y == (CADRE.haut + CADRE.base) / 2
    assert graphique.dates == [(point.x, "10/01/2026", "middle")]


def test_the_reference_range_and_the_second_values_are_drawn_inside_the_frame() -> None:
    graphique = courbe(
        [_releve(date(2026, 1, 1), 150, 95), _releve(date(2026, 3, 1), 128, 82)],
        reference=(90, 140),
        titre="Tension",
        description="",
    )

    assert graphique.bande is not None
    haut_bande, hauteur_bande = graphique.bande
    assert CADRE.haut < haut_bande and haut_bande + hauteur_bande < CADRE.base
    assert graphique.points[0].y < haut_bande  # 150 is above the range
    assert graphique.ligne_basse == " ".join(f"{p.x},{p.y_bas}" for p in graphique.points)


def test_the_value_axis_has_evenly_spaced_round_labelled_lines_from_the_bottom_up() -> None:
    # 0 to 8: a step of 2, from 0 to 8.
    graphique = courbe(
        [_releve(date(2026, 1, 1), 0), _releve(date(2026, 1, 2), 8)],
        reference=None,
        titre="",
        description="",
    )

    assert graphique.graduations == [
        (192.0, "0"),
        (147.0, "2"),
        (102.0, "4"),
        (57.0, "6"),
        (12.0, "8"),
    ]


@pytest.mark.parametrize(
    ("minimum", "maximum", "positif", "lignes"),
    [
        # The weights: 71.8 / 90.4 / 109 became round tens.
        (72.0, 105.0, True, ["70", "80", "90", "100", "110"]),
        # LDL cholesterol under 1.6 g/L, its band from zero: never below zero.
        (0.0, 1.72, True, ["0,0", "0,5", "1,0", "1,5", "2,0"]),
        (1.38, 1.72, True, ["1,2", "1,4", "1,6", "1,8"]),
        (0.27, 4.6, True, ["0", "2", "4", "6"]),
        (-3.2, 2.5, False, ["\u22124", "\u22122", "0", "2", "4"]),
        (0.012, 0.019, True, ["0,012", "0,014", "0,016", "0,018", "0,020"]),
        (5.0, 5.0, True, ["4,5", "5,0", "5,5"]),
        (0.0, 0.0, True, ["0,0", "0,5", "1,0"]),
    ],
)
def test_the_axis_has_round_steps_and_french_numbers(
    minimum: float, maximum: float, positif: bool, lignes: list[str]
) -> None:
    axe = echelle(minimum, maximum, positif=positif)
    assert [nombre_axe(v, axe.decimales) for v in axe.valeurs] == lignes
    assert axe.bas <= minimum and maximum <= axe.haut
    assert len(axe.valeurs) <= GRADUATIONS + 1
    if positif:
        assert axe.bas >= 0


def test_bars_rise_from_the_axis_in_proportion_the_tallest_to_the_top() -> None:
    cadre = Cadre(gauche=56, haut=20)
    graphique = barres(
        [("2024", Decimal("0")), ("2025", Decimal("50.00")), ("2026", Decimal("100.00"))],
        montrer=lambda montant: f"{montant} €",
        titre="Reste à charge",
        description="",
        cadre=cadre,
    )

    zero, moitie, plein = graphique.barres
    assert (zero.hauteur, zero.y) == (0, cadre.base)
    assert (plein.hauteur, plein.y) == (cadre.interieur_hauteur, cadre.haut)
    assert moitie.hauteur == cadre.interieur_hauteur / 2
    assert zero.x < moitie.x < plein.x and plein.x + plein.largeur <= cadre.droite_x
    assert moitie.libelle == "2025 : 50.00 €" and moitie.etiquette == "2025"
    assert [libelle for _, libelle in graphique.graduations] == [
        "0 €",
        "25 €",
        "50 €",
        "75 €",
        "100 €",
    ]
    assert [y for y, _ in graphique.graduations] == [192, 149, 106, 63, 20]


def test_bars_never_divide_by_zero_and_stay_narrow_when_few() -> None:
    graphique = barres([("2026", Decimal("0"))], montrer=str, titre="", description="", cadre=CADRE)

    (barre,) = graphique.barres
    assert barre.hauteur == 0 and barre.largeur == 80
    assert barre.centre == CADRE.gauche + CADRE.interieur_largeur / 2
