"""A professional in a patient's space (professionnels/consultations.py): the emergency access
and the trace of every read, against the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from espace_sante.acces import AccesPatient, Role, acces_professionnel, espaces_autorises
from espace_sante.comptes.models import Notification, TypeNotification
from espace_sante.journal.models import Action, Evenement
from professionnels import consultations, services

pytestmark = pytest.mark.django_db


def _acces(espace) -> AccesPatient:  # type: ignore[no-untyped-def]
    return AccesPatient(espace=espace, role=Role.TITULAIRE, utilisateur=espace.titulaire)


def test_an_emergency_access_needs_a_reason_lasts_the_set_time_and_tells_the_patient(
    titulaire, pro_non_autorise, settings, django_capture_on_commit_callbacks
) -> None:
    settings.URGENCE_DUREE_HEURES = 2
    with pytest.raises(services.Refus, match="raison"):
        consultations.urgence_ouvrir(
            professionnel=pro_non_autorise, espace=titulaire, mode="bris_de_glace", motif="  "
        )
    with pytest.raises(services.Refus, match="régulateurs"):
        consultations.urgence_ouvrir(
            professionnel=pro_non_autorise,
            espace=titulaire,
            mode="regulation",
            motif="appel au centre 15 pour douleur thoracique",
        )
    with django_capture_on_commit_callbacks(execute=True):
        urgence = consultations.urgence_ouvrir(
            professionnel=pro_non_autorise,
            espace=titulaire,
            mode="bris_de_glace",
            motif="patient inconscient aux urgences",
        )
    assert timedelta(hours=2) - (urgence.fin - urgence.debut) < timedelta(seconds=1)
    acces = acces_professionnel(professionnel=pro_non_autorise, espace_uuid=titulaire.uuid)
    assert acces.en_urgence
    assert [m.to for m in mail.outbox] == [[titulaire.titulaire.email]]
    assert "urgence" in mail.outbox[0].body
    evenement = Evenement.objects.get(action=Action.URGENCE_OUVERTE)
    assert "inconscient" not in str(
        evenement.details
    )  # the reason stays encrypted, out of the journal
    apres = urgence.fin + timedelta(seconds=1)
    assert list(espaces_autorises(professionnel=pro_non_autorise, maintenant=apres)) == []


def test_the_patient_can_forbid_emergencies_which_ends_running_ones(
    titulaire, pro_non_autorise
) -> None:
    consultations.urgence_ouvrir(
        professionnel=pro_non_autorise,
        espace=titulaire,
        mode="bris_de_glace",
        motif="patient inconscient aux urgences",
    )
    services.reglages_acces_modifier(
        acces=_acces(titulaire),
        urgence_autorisee=False,
        notifier_premier_acces=True,
        notifier_nouveau_document=True,
    )
    assert list(espaces_autorises(professionnel=pro_non_autorise)) == []
    with pytest.raises(services.Refus):
        consultations.urgence_ouvrir(
            professionnel=pro_non_autorise,
            espace=titulaire,
            mode="bris_de_glace",
            motif="patient inconscient aux urgences",
        )


def test_the_first_read_by_a_professional_tells_the_patient_once(
    titulaire, pro_autorise, django_capture_on_commit_callbacks
) -> None:
    acces = acces_professionnel(professionnel=pro_autorise, espace_uuid=titulaire.uuid)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            consultations.consultation_tracer(acces=acces, action=Action.DOSSIER_CONSULTE)
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(type=TypeNotification.PREMIER_ACCES_PRO).count() == 1
    assert Evenement.objects.filter(action=Action.DOSSIER_CONSULTE).count() == 3


def test_no_first_read_e_mail_when_the_patient_does_not_want_it(
    titulaire, pro_autorise, django_capture_on_commit_callbacks
) -> None:
    services.reglages_acces_modifier(
        acces=_acces(titulaire),
        urgence_autorisee=True,
        notifier_premier_acces=False,
        notifier_nouveau_document=True,
    )
    acces = acces_professionnel(professionnel=pro_autorise, espace_uuid=titulaire.uuid)
    with django_capture_on_commit_callbacks(execute=True):
        consultations.consultation_tracer(acces=acces, action=Action.DOSSIER_CONSULTE)
    assert mail.outbox == []
