"""The agenda's forms: an appointment with its reminders, a recurring reminder, the choice of
details in the e-mails. The date and time typed are local (Europe/Paris); ``services_rdv``
checks everything again: a form never decides alone what is saved."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from espace_sante.lib.erreurs import Refus
from professionnels.models import Professionnel

from . import services_rdv
from .models import Frequence, RendezVous, Unite

NB_RAPPELS = 3  # reminder lines offered on the form (each: a number and a unit)
CHOIX_UNITES = [("", "—"), *Unite.choices]


def _date(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}), **kwargs)


def _heure(label: Any) -> forms.TimeField:
    return forms.TimeField(label=label, widget=forms.TimeInput(attrs={"type": "time"}))


class RendezVousForm(DsfrBaseForm):
    titre = forms.CharField(
        label=_("Objet du rendez-vous"),
        max_length=150,
        help_text=_("Par exemple « Dentiste » ou « Prise de sang ». Chiffré."),
    )
    jour = _date(_("Date"))
    heure = _heure(_("Heure (heure de Paris)"))
    duree_minutes = forms.IntegerField(
        label=_("Durée (minutes)"),
        min_value=1,
        max_value=services_rdv.DUREE_MAX_MINUTES,
        initial=30,
    )
    professionnel = forms.ChoiceField(label=_("Parmi mes professionnels"), required=False)
    professionnel_libre = forms.CharField(label=_("Ou son nom"), max_length=200, required=False)
    lieu = forms.CharField(label=_("Lieu"), max_length=300, required=False)
    notes = forms.CharField(
        label=_("Notes"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Chiffrées, visibles de vous seul (et des représentants d'un mineur)."),
    )

    def __init__(self, *args: Any, professionnels: list[Professionnel], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.professionnels = {str(p.uuid): p for p in professionnels}
        self.fields["professionnel"].choices = [("", "—")] + [
            (cle, p.nom_affiche) for cle, p in self.professionnels.items()
        ]
        for rang in range(1, NB_RAPPELS + 1):
            self.fields[f"rappel_{rang}_avance"] = forms.IntegerField(
                label=_("Rappel %(n)s : combien") % {"n": rang},
                min_value=1,
                required=False,
            )
            self.fields[f"rappel_{rang}_unite"] = forms.ChoiceField(
                label=_("Rappel %(n)s : unité (avant le rendez-vous)") % {"n": rang},
                choices=CHOIX_UNITES,
                required=False,
            )

    @classmethod
    def initial_de(cls, rdv: RendezVous) -> dict[str, Any]:
        local = timezone.localtime(rdv.debut)
        initial: dict[str, Any] = {
            "titre": rdv.titre,
            "jour": local.date(),
            "heure": local.time().replace(second=0, microsecond=0),
            "duree_minutes": rdv.duree_minutes,
            "professionnel": str(rdv.professionnel.uuid) if rdv.professionnel else "",
            "professionnel_libre": rdv.professionnel_libre,
            "lieu": rdv.lieu,
            "notes": rdv.notes,
        }
        for rang, rappel in enumerate(rdv.rappels.all(), start=1):
            initial[f"rappel_{rang}_avance"] = rappel.avance
            initial[f"rappel_{rang}_unite"] = rappel.unite
        return initial

    def rangs_rappels(self) -> list[tuple[Any, Any]]:
        return [
            (self[f"rappel_{rang}_avance"], self[f"rappel_{rang}_unite"])
            for rang in range(1, NB_RAPPELS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        donnees = super().clean()
        jour, heure = donnees.get("jour"), donnees.get("heure")
        if jour is not None and heure is not None:
            try:
                services_rdv.verifier_date(jour)
                donnees["debut"] = services_rdv.debut_local(jour, heure)
            except Refus as refus:
                self.add_error("jour", refus.message)
        choisi = donnees.get("professionnel")
        if choisi and choisi not in self.professionnels:
            self.add_error("professionnel", _("Choisissez un professionnel de la liste."))
        rappels = []
        for rang in range(1, NB_RAPPELS + 1):
            avance = donnees.get(f"rappel_{rang}_avance")
            unite = donnees.get(f"rappel_{rang}_unite")
            if avance and unite:
                rappels.append((avance, unite))
            elif avance or unite:
                self.add_error(
                    f"rappel_{rang}_avance",
                    _("Donnez le nombre et l'unité du rappel, ou aucun des deux."),
                )
        donnees["rappels"] = rappels
        return donnees

    def donnees(self) -> services_rdv.DonneesRendezVous:
        d = self.cleaned_data
        debut: datetime = d["debut"]
        return services_rdv.DonneesRendezVous(
            titre=d["titre"],
            debut=debut,
            duree_minutes=d["duree_minutes"],
            professionnel=self.professionnels.get(d.get("professionnel") or ""),
            professionnel_libre=d.get("professionnel_libre", ""),
            lieu=d.get("lieu", ""),
            notes=d.get("notes", ""),
            rappels=d["rappels"],
        )


class RappelRecurrentForm(DsfrBaseForm):
    libelle = forms.CharField(
        label=_("Rappel"), max_length=150, help_text=_("Par exemple « Traitement du matin ».")
    )
    frequence = forms.ChoiceField(label=_("Fréquence"), choices=Frequence.choices)
    intervalle = forms.IntegerField(
        label=_("Tous les combien"),
        min_value=1,
        max_value=366,
        initial=1,
        help_text=_(
            "1 : chaque jour (semaine, mois) ; 3 avec « tous les mois » : tous les 3 mois."
        ),
    )
    heure = _heure(_("À quelle heure (heure de Paris)"))
    debut = _date(_("À partir du"))
    fin = _date(_("Jusqu'au"), required=False)
    occurrences = forms.IntegerField(
        label=_("Ou combien de fois"),
        min_value=1,
        max_value=services_rdv.OCCURRENCES_MAX,
        required=False,
        help_text=_("Une date de fin ou un nombre de fois : un rappel doit s'arrêter."),
    )

    def clean(self) -> dict[str, Any]:
        donnees = super().clean()
        if not self.errors and donnees.get("fin") is None and donnees.get("occurrences") is None:
            self.add_error(
                "fin",
                _(
                    "Un rappel récurrent doit s'arrêter : donnez une date de fin ou un nombre "
                    "de fois."
                ),
            )
        return donnees

    def donnees(self) -> services_rdv.DonneesRecurrent:
        d = self.cleaned_data
        return services_rdv.DonneesRecurrent(
            libelle=d["libelle"],
            frequence=d["frequence"],
            intervalle=d["intervalle"],
            heure=d["heure"],
            debut=d["debut"],
            fin=d.get("fin"),
            occurrences=d.get("occurrences"),
        )


class PreferencesForm(DsfrBaseForm):
    details_dans_les_rappels = forms.BooleanField(
        label=_("Écrire l'objet du rendez-vous (ou du rappel) dans les e-mails de rappel"),
        required=False,
        help_text=_(
            "Sans cela, l'e-mail ne dit que la date et l'heure : rien sur votre santé si "
            "quelqu'un d'autre le lit."
        ),
    )
