"""What the Remboursements page shows: the lines the reader may see, filtered, with their
totals and the chart of yearly out-of-pocket costs (all sums in integer cents, shown as
Decimal euros: never a float)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Count, Min, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from espace_sante.acces import AccesPatient
from espace_sante.lib.graphiques import Barres, Cadre, barres

from ..models import LigneRemboursement, NatureRemboursement
from ..selectors import documents_visibles

LIBELLES_NATURES = dict(NatureRemboursement.choices)


def euros(centimes: int | None) -> Decimal | None:
    """Cents as exact euros (``Decimal("12.34")``)."""
    return None if centimes is None else Decimal(centimes).scaleb(-2)


def remboursements_visibles(*, acces: AccesPatient) -> QuerySet[LigneRemboursement]:
    """The space's lines for its holder or representative: the insurer's, and those read from
    a CNAM-HR document only while the reader may see that document (deleted, hidden from
    representatives…: its lines go with it)."""
    documents = documents_visibles(acces=acces).values("pk")
    return LigneRemboursement.objects.filter(espace=acces.espace).filter(
        Q(document__isnull=True) | Q(document__in=documents)
    )


@dataclass(frozen=True)
class Filtres:
    nature: str = ""
    professionnel: str = ""  # the keyed digest of the name
    du: date | None = None
    au: date | None = None


def remboursements_filtres(
    lignes: QuerySet[LigneRemboursement], filtres: Filtres
) -> QuerySet[LigneRemboursement]:
    if filtres.nature:
        lignes = lignes.filter(nature=filtres.nature)
    if filtres.professionnel:
        lignes = lignes.filter(professionnel_empreinte=filtres.professionnel)
    if filtres.du:
        lignes = lignes.filter(date_soins__gte=filtres.du)
    if filtres.au:
        lignes = lignes.filter(date_soins__lte=filtres.au)
    return lignes


def professionnels(lignes: QuerySet[LigneRemboursement]) -> list[tuple[str, str]]:
    """(digest, name) of each professional of these lines, by name: two queries (one line per
    professional is decrypted, not every line)."""
    premiers = (
        lignes.exclude(professionnel_empreinte="")
        .order_by()
        .values("professionnel_empreinte")
        .annotate(premier=Min("id"))
        .values_list("premier", flat=True)
    )
    noms = LigneRemboursement.objects.filter(id__in=list(premiers)).values_list(
        "professionnel_empreinte", "professionnel"
    )
    return sorted(noms, key=lambda n: n[1].casefold())


@dataclass(frozen=True)
class Total:
    cle: Any  # the year, or the kind
    libelle: str
    nombre: int
    paye: Decimal | None
    rembourse: Decimal | None
    reste_a_charge: Decimal | None


_SOMMES = {
    "nombre": Count("id"),
    "paye": Sum("paye_centimes"),
    "rembourse": Sum("rembourse_centimes"),
    "reste": Sum("reste_a_charge_centimes"),
}


def _total(cle: Any, libelle: str, ligne: Mapping[str, Any]) -> Total:
    return Total(
        cle=cle,
        libelle=libelle,
        nombre=ligne["nombre"],
        paye=euros(ligne["paye"]),
        rembourse=euros(ligne["rembourse"]),
        reste_a_charge=euros(ligne["reste"]),
    )


def totaux_par_annee(lignes: QuerySet[LigneRemboursement]) -> list[Total]:
    """Most recent year first. Sums made by the database, on integers."""
    par_annee = (
        lignes.order_by()
        .annotate(annee=ExtractYear("date_soins"))
        .values("annee")
        .annotate(**_SOMMES)
        .order_by("-annee")
    )
    return [_total(t["annee"], str(t["annee"]), t) for t in par_annee]


def totaux_par_nature(lignes: QuerySet[LigneRemboursement]) -> list[Total]:
    par_nature = lignes.order_by().values("nature").annotate(**_SOMMES).order_by("nature")
    return [_total(t["nature"], str(LIBELLES_NATURES[t["nature"]]), t) for t in par_nature]


# --- The chart of yearly out-of-pocket costs (drawn by espace_sante/lib/graphiques.py) -----------

CADRE = Cadre(gauche=56, haut=20)  # room on the left for the amounts


def montant_fr(montant: Decimal | None) -> str:
    """``1234.5`` → ``1 234,50 €`` (narrow no-break space for thousands)."""
    if montant is None:
        return "—"
    return f"{montant:,.2f}".replace(",", "\u202f").replace(".", ",") + "\u00a0€"


def graphique_reste_a_charge(totaux: list[Total]) -> Barres | None:
    """One bar per year (oldest on the left) for the out-of-pocket costs; none without amounts."""
    annees = sorted((t for t in totaux if t.reste_a_charge is not None), key=lambda t: t.cle)
    if not annees:
        return None
    montants = [(str(t.cle), t.reste_a_charge or Decimal(0)) for t in annees]
    return barres(
        montants,
        montrer=montant_fr,
        titre=str(_("Reste à charge par année")),
        description=str(
            ngettext(
                "%(n)s année, de %(debut)s à %(fin)s ; le plus élevé : %(max)s",
                "%(n)s années, de %(debut)s à %(fin)s ; le plus élevé : %(max)s",
                len(annees),
            )
            % {
                "n": len(annees),
                "debut": annees[0].cle,
                "fin": annees[-1].cle,
                "max": montant_fr(max(montant for _annee, montant in montants)),
            }
        ),
        cadre=CADRE,
    )


# --- The filter form ---------------------------------------------------------------------------


class FiltresRemboursementsForm(forms.Form):
    nature = forms.ChoiceField(
        label=_("Nature des soins"),
        required=False,
        choices=[("", _("Toutes")), *NatureRemboursement.choices],
    )
    professionnel = forms.ChoiceField(label=_("Professionnel ou établissement"), required=False)
    du = forms.DateField(
        label=_("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    au = forms.DateField(
        label=_("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, professionnels: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        champ = self.fields["professionnel"]
        assert isinstance(champ, forms.ChoiceField)
        champ.choices = [("", _("Tous")), *professionnels]

    def clean(self) -> dict[str, Any]:
        donnees = super().clean() or {}
        if donnees.get("du") and donnees.get("au") and donnees["du"] > donnees["au"]:
            raise forms.ValidationError(_("La date de début doit précéder la date de fin."))
        return donnees

    def filtres(self) -> Filtres:
        if not self.is_bound or not self.is_valid():
            return Filtres()
        d = self.cleaned_data
        return Filtres(nature=d["nature"], professionnel=d["professionnel"], du=d["du"], au=d["au"])
