"""The medical profile (DESIGN.md §6): its sections, their forms, and the services that write
them. Free text is stored encrypted; every change is a journal event naming the section and
the entry, never its content."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from espace_sante.acces import (
    Acces,
    AccesPatient,
    documents_lisibles,
    entrees_profil_lisibles,
    evenements_lisibles,
    marque_secret,
    peut_ecrire_section,
    peut_marquer_secret,
)
from espace_sante.journal.models import Action, Evenement
from espace_sante.journal.services import evenement_enregistrer
from espace_sante.lib import graphiques
from espace_sante.lib.formulaires import ChampDate

from . import carnet_vaccinal
from . import mesures as mesures_
from .models import (
    Allergie,
    Antecedent,
    DirectivesAnticipees,
    DonOrganes,
    ElementProfil,
    Espace,
    HabitudesDeVie,
    Mesure,
    PersonneAPrevenir,
    PersonneConfiance,
    Traitement,
    TypeMesure,
    Vaccination,
    empreinte_vaccin,
)
from .vaccination import (
    FAMILLES,
    FAMILLES_COMPTEES,
    Echeance,
    Statut,
    VaccinationFaite,
    ajouter_mois,
    calendrier,
)


class _FormulaireProfil(DsfrBaseForm, forms.ModelForm):
    """Dates may be neither in the future nor before the person's birth."""

    def __init__(self, *args: Any, espace: Espace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.espace = espace
        for champ in self.fields.values():  # radio buttons offer no "---------" choice
            if isinstance(champ.widget, forms.RadioSelect) and hasattr(champ, "choices"):
                champ.choices = [c for c in champ.choices if c[0] != ""]

    def clean(self) -> dict[str, Any]:
        donnees = super().clean() or {}
        for nom, valeur in list(donnees.items()):
            if not isinstance(valeur, date):
                continue
            if valeur > timezone.localdate():
                self.add_error(nom, _("La date ne peut pas être dans le futur."))
            elif valeur < self.espace.date_naissance and not self.avant_naissance(donnees):
                self.add_error(nom, _("La date ne peut pas précéder la naissance."))
        return donnees

    def avant_naissance(self, donnees: dict[str, Any]) -> bool:
        """Whether a date before the person's birth makes sense here."""
        return False


class AllergieForm(_FormulaireProfil):
    depuis = ChampDate(label=_("Depuis"), required=False)

    class Meta:
        model = Allergie
        fields = ["substance", "reaction", "severite", "depuis"]
        widgets = {
            "substance": forms.TextInput(),
            "reaction": forms.Textarea(attrs={"rows": 2}),
        }


class TraitementForm(_FormulaireProfil):
    depuis = ChampDate(label=_("Depuis"), required=False)

    class Meta:
        model = Traitement
        fields = ["medicament", "dose", "depuis", "prescripteur"]
        widgets = {
            "medicament": forms.TextInput(),
            "dose": forms.TextInput(),
            "prescripteur": forms.TextInput(),
        }


class AntecedentForm(_FormulaireProfil):
    date = ChampDate(label=_("Date"), required=False)

    class Meta:
        model = Antecedent
        fields = ["nature", "libelle", "date", "precision"]
        widgets = {"libelle": forms.TextInput(), "precision": forms.Textarea(attrs={"rows": 2})}

    def avant_naissance(self, donnees: dict[str, Any]) -> bool:
        return donnees.get("nature") == "familial"  # a parent's illness may predate the birth


class VaccinationForm(_FormulaireProfil):
    famille = forms.ChoiceField(label=_("Vaccin"), choices=list(FAMILLES.items()))
    date = ChampDate(label=_("Date de l'injection"))

    class Meta:
        model = Vaccination
        fields = ["famille", "date", "lot"]
        widgets = {"lot": forms.TextInput()}

    def clean(self) -> dict[str, Any]:
        donnees = super().clean()
        famille, jour = donnees.get("famille"), donnees.get("date")
        if not (famille and isinstance(jour, date)):
            return donnees
        empreinte = empreinte_vaccin(self.espace.pk, famille)
        doublon = Vaccination.objects.filter(
            espace=self.espace, famille_empreinte=empreinte, date=jour, document_uuid__isnull=True
        )
        if self.instance.pk:
            doublon = doublon.exclude(pk=self.instance.pk)
        if doublon.exists():
            raise ValidationError(_("Cette vaccination est déjà notée à cette date."))
        return donnees


class MesureForm(_FormulaireProfil):
    date = ChampDate(label=_("Date"))

    class Meta:
        model = Mesure
        fields = ["type", "valeur", "valeur_basse", "date"]
        labels = {"valeur": _("Valeur (pour la tension : la systolique, le chiffre du haut)")}

    def clean(self) -> dict[str, Any]:
        donnees = super().clean()
        type_mesure, valeur = donnees.get("type"), donnees.get("valeur")
        if type_mesure and valeur is not None:
            for faute in mesures_.plausible(type_mesure, valeur, donnees.get("valeur_basse")):
                self.add_error(None, faute)
        return donnees


class DirectivesForm(_FormulaireProfil):
    fait_le = ChampDate(label=_("Fait le"))

    class Meta:
        model = DirectivesAnticipees
        fields = [
            "situation",
            "traitements",
            "reanimation",
            "douleur",
            "lieu",
            "autres",
            "fait_a",
            "fait_le",
            "temoins",
        ]
        widgets = {
            "situation": forms.RadioSelect,
            "fait_a": forms.TextInput(),
            **{
                nom: forms.Textarea(attrs={"rows": 3})
                for nom in ["traitements", "reanimation", "douleur", "lieu", "autres", "temoins"]
            },
        }


class PersonneConfianceForm(_FormulaireProfil):
    class Meta:
        model = PersonneConfiance
        fields = ["nom", "lien", "telephone", "courriel"]
        widgets = {nom: forms.TextInput() for nom in ["nom", "lien", "telephone", "courriel"]}


class HabitudesForm(_FormulaireProfil):
    class Meta:
        model = HabitudesDeVie
        fields = ["tabac", "alcool", "activite", "sommeil", "alimentation"]
        widgets = {
            nom: forms.TextInput()
            for nom in ["tabac", "alcool", "activite", "sommeil", "alimentation"]
        }


class DonOrganesForm(_FormulaireProfil):
    class Meta:
        model = DonOrganes
        fields = ["position", "precision"]
        widgets = {"position": forms.RadioSelect, "precision": forms.Textarea(attrs={"rows": 2})}


class PersonneAPrevenirForm(_FormulaireProfil):
    class Meta:
        model = PersonneAPrevenir
        fields = ["nom", "lien", "telephone"]
        widgets = {nom: forms.TextInput() for nom in ["nom", "lien", "telephone"]}

    def clean_telephone(self) -> str:
        numero = "".join(c for c in str(self.cleaned_data["telephone"]) if c.isdigit() or c == "+")
        if not 8 <= len(numero.lstrip("+")) <= 15:
            raise ValidationError(_("Indiquez un numéro de téléphone valide."))
        return numero


UNIQUES = {
    "habitudes": (HabitudesDeVie, HabitudesForm, _("Mes habitudes de vie")),
    "don_organes": (DonOrganes, DonOrganesForm, _("Ma position sur le don d'organes")),
    "directives": (DirectivesAnticipees, DirectivesForm, _("Mes directives anticipées")),
    "personne_confiance": (PersonneConfiance, PersonneConfianceForm, _("Ma personne de confiance")),
}


def unique(*, acces: Acces, cle: str) -> Any:
    """The directives or the personne de confiance of the space, or None."""
    modele = UNIQUES[cle][0]
    return modele.objects.filter(espace=acces.espace).first()  # type: ignore[attr-defined]


def _journaliser(
    acces: Acces,
    action: Action,
    *,
    cle: str,
    objet_id: str,
    ip: str | None,
    element: Any = None,
) -> None:
    """A profile change in the journal: the section and the entry, never the content; marked
    when the entry is a minor's secret (the event outlives a deleted entry)."""
    evenement_enregistrer(
        action=action,
        acteur=acces.acteur,
        espace_uuid=acces.espace.uuid,
        objet_type=f"profil:{cle}",
        objet_id=objet_id,
        ip=ip,
        details={"section": cle, **marque_secret(element)},
    )


def _historique(acces: AccesPatient, **filtre: str) -> list[Evenement]:
    evenements = Evenement.objects.filter(espace_uuid=acces.espace.uuid, **filtre)
    return list(
        evenements_lisibles(acces=acces, evenements=evenements).order_by("-horodatage", "-id")[:50]
    )


def historique_unique(*, acces: AccesPatient, cle: str) -> list[Evenement]:
    return _historique(acces, objet_type=f"profil:{cle}")


def unique_supprimer(*, acces: AccesPatient, cle: str, ip: str | None = None) -> None:
    objet = unique(acces=acces, cle=cle)
    if objet is None:
        return
    with transaction.atomic():
        _journaliser(
            acces, Action.PROFIL_SUPPRESSION, cle=cle, objet_id=str(acces.espace.uuid), ip=ip
        )
        objet.delete()


def unique_enregistrer(
    *, acces: AccesPatient, cle: str, formulaire: _FormulaireProfil, ip: str | None = None
) -> Any:
    """Write the directives or the personne de confiance. Only an adult holder writes them
    (the law reserves both to adults): the view answers 404 to anyone else."""
    objet = formulaire.save(commit=False)
    nouveau = objet.pk is None
    objet.espace = acces.espace
    objet.modifie_le = timezone.now()
    with transaction.atomic():
        objet.save()
        _journaliser(
            acces,
            Action.PROFIL_AJOUT if nouveau else Action.PROFIL_MODIFICATION,
            cle=cle,
            objet_id=str(acces.espace.uuid),
            ip=ip,
        )
    return objet


@dataclass(frozen=True)
class Section:
    cle: str
    titre: str
    modele: type[ElementProfil]
    formulaire: type[_FormulaireProfil]
    vide: str


SECTIONS = {
    s.cle: s
    for s in [
        Section(
            "allergies",
            str(_("Allergies et intolérances")),
            Allergie,
            AllergieForm,
            str(_("Aucune allergie ni intolérance notée.")),
        ),
        Section(
            "traitements",
            str(_("Traitements en cours")),
            Traitement,
            TraitementForm,
            str(_("Aucun traitement en cours noté.")),
        ),
        Section(
            "antecedents",
            str(_("Antécédents médicaux, chirurgicaux et familiaux")),
            Antecedent,
            AntecedentForm,
            str(_("Aucun antécédent noté.")),
        ),
        Section(
            "mesures",
            str(_("Mesures")),
            Mesure,
            MesureForm,
            str(_("Aucune mesure notée.")),
        ),
        Section(
            "personnes_a_prevenir",
            str(_("Personnes à prévenir")),
            PersonneAPrevenir,
            PersonneAPrevenirForm,
            str(_("Aucune personne à prévenir notée.")),
        ),
        Section(
            "vaccinations",
            str(_("Vaccinations")),
            Vaccination,
            VaccinationForm,
            str(_("Aucune vaccination notée.")),
        ),
    ]
}


def section(cle: str) -> Section:
    if cle not in SECTIONS:
        raise Http404
    return SECTIONS[cle]


# --- Reads ---------------------------------------------------------------------------------------


def elements(*, acces: Acces, section: Section) -> list[Any]:
    """The section's entries the actor reads; for the vaccinations, the carnet's lines (the
    space's entries and the documents' merged: ``carnet_vaccinal.carnet``)."""
    if section.modele is Vaccination:
        return list(carnet_vaccinal.carnet(acces=acces))
    return list(entrees_profil_lisibles(acces=acces, modele=section.modele))


def sections_lues(*, acces: Acces) -> list[tuple[Section, list[Any], bool]]:
    """Every section with the entries the actor reads, and whether they may add one."""
    return [
        (s, elements(acces=acces, section=s), peut_ecrire_section(acces=acces, cle=s.cle))
        for s in SECTIONS.values()
    ]


def element_pour_acteur(*, acces: AccesPatient, section: Section, element_uuid: Any) -> Any:
    """An entry the actor may change: not one read from a document (the document says it)."""
    element: ElementProfil | None
    if section.modele is Vaccination:
        vaccinations = entrees_profil_lisibles(acces=acces, modele=Vaccination)
        element = vaccinations.filter(uuid=element_uuid, document_uuid__isnull=True).first()
    else:
        entrees = entrees_profil_lisibles(acces=acces, modele=section.modele)
        element = entrees.filter(uuid=element_uuid).first()
    if element is None:
        raise Http404
    return element


def historique_element(*, acces: AccesPatient, element: Any) -> list[Evenement]:
    return _historique(acces, objet_id=str(element.uuid))


@dataclass(frozen=True)
class Courbe:
    type: str
    libelle: str
    graphique: graphiques.Courbe
    valeurs: list[Mesure]
    source: str


def courbes(*, acces: Acces) -> tuple[list[Courbe], Any]:
    """One chart per kind of measure the person noted, and the BMI."""
    toutes = list(entrees_profil_lisibles(acces=acces, modele=Mesure))
    resultat = []
    for type_mesure, libelle in TypeMesure.choices:
        graphique = mesures_.graphique(type_mesure, toutes)
        if graphique is not None:
            resultat.append(
                Courbe(
                    type=type_mesure,
                    libelle=str(libelle),
                    graphique=graphique,
                    valeurs=sorted(
                        (m for m in toutes if m.type == type_mesure),
                        key=lambda m: (m.date, m.cree_le),
                        reverse=True,
                    ),
                    source=mesures_.BORNES[type_mesure].source,
                )
            )
    return resultat, mesures_.imc(toutes)


# The documents' category of vaccination notes and records (dossier.types.Categorie.VACCINATION;
# ``profil`` reads documents through the access package only).
CATEGORIE_VACCINATION = "vaccination"
HORIZON_ANNEES = 10  # the calendar lists what is due within this many years


class CalendrierVaccinal(list[Echeance]):
    """The calendar's lines, and the vaccination documents the reader sees whose vaccinations
    could not be read one by one (a scanned record, a note in free text): while any exists, a
    dose that would be late is "à vérifier" instead — the document may well record it."""

    documents: list[carnet_vaccinal.SourceDocument]

    def __init__(
        self, echeances: list[Echeance], documents: list[carnet_vaccinal.SourceDocument]
    ) -> None:
        super().__init__(echeances)
        self.documents = documents


def documents_vaccination_non_lus(*, acces: Acces) -> list[carnet_vaccinal.SourceDocument]:
    """The vaccination documents the actor reads from which the carnet holds no vaccination."""
    lus = Vaccination.objects.filter(espace=acces.espace, document_uuid__isnull=False).values(
        "document_uuid"
    )
    documents = (
        documents_lisibles(acces=acces)
        .filter(categorie=CATEGORIE_VACCINATION)
        .exclude(uuid__in=lus)
        .only("uuid", "titre")
        .order_by("-date_acte", "pk")
    )
    return [carnet_vaccinal.SourceDocument(d.uuid, str(d.titre)) for d in documents]


def calendrier_vaccinal(*, acces: Acces) -> CalendrierVaccinal:
    """The personalised calendar from every vaccination the actor reads in the space: the
    holder's entries, the professionals', and those read from documents (all ``Vaccination``
    rows, through ``entrees_profil_lisibles``); vaccination documents not read one by one turn
    a late dose into one to check (``CalendrierVaccinal``)."""
    espace = acces.espace
    aujourd_hui = timezone.localdate()
    faites = [
        VaccinationFaite(code=v.famille, date=v.date)
        for v in entrees_profil_lisibles(acces=acces, modele=Vaccination).only("famille", "date")
        if v.famille in FAMILLES_COMPTEES
    ]
    echeances = calendrier(
        date_naissance=espace.date_naissance,
        sexe=espace.sexe if espace.sexe in {"F", "M"} else "U",
        aujourd_hui=aujourd_hui,
        faites=faites,
    )
    # Sensible bounds: what is not due within HORIZON_ANNEES is not listed yet (a child sees
    # no booster at 65; the adult boosters appear as their age comes).
    horizon = ajouter_mois(aujourd_hui, 12 * HORIZON_ANNEES)
    echeances = [
        e for e in echeances if e.statut != Statut.A_FAIRE or e.date_recommandee <= horizon
    ]
    en_retard = any(e.statut == Statut.EN_RETARD for e in echeances)
    documents = documents_vaccination_non_lus(acces=acces) if en_retard else []
    if documents:
        echeances = [
            replace(e, statut=Statut.A_VERIFIER) if e.statut == Statut.EN_RETARD else e
            for e in echeances
        ]
    return CalendrierVaccinal(echeances, documents)


# --- Writes --------------------------------------------------------------------------------------


def element_enregistrer(
    *,
    acces: Acces,
    section: Section,
    formulaire: _FormulaireProfil,
    secret_mineur: bool = False,
    ip: str | None = None,
) -> Any:
    """Save a valid form's entry (new or changed) and journal it. Only a professional marks a
    minor's entry as hidden from the legal representatives."""
    if not acces.espace.ouvert:
        raise Http404
    element = formulaire.save(commit=False)
    nouveau = element.pk is None
    element.espace = acces.espace
    element.modifie_le = timezone.now()
    if nouveau:
        element.saisi_par_type = acces.acteur.type
        element.saisi_par_nom = acces.acteur.nom
        element.secret_mineur = secret_mineur and peut_marquer_secret(acces)
    with transaction.atomic():
        element.save()
        _journaliser(
            acces,
            Action.PROFIL_AJOUT if nouveau else Action.PROFIL_MODIFICATION,
            cle=section.cle,
            objet_id=str(element.uuid),
            ip=ip,
            element=element,
        )
    return element


def element_supprimer(
    *, acces: AccesPatient, section: Section, element: Any, ip: str | None
) -> None:
    with transaction.atomic():
        _journaliser(
            acces,
            Action.PROFIL_SUPPRESSION,
            cle=section.cle,
            objet_id=str(element.uuid),
            ip=ip,
            element=element,
        )
        element.delete()
