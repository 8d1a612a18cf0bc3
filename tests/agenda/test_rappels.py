"""The reminders: when they fall due (Europe/Paris, across the changes of time), the sendings
created for the holder and a minor's representatives, claimed under a lease, sent once, the
e-mail saying no health detail unless its reader asked (issue 19, point 2)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core import mail
from django.db.models import F
from django.utils import timezone

from agenda import rappels, services_rdv
from agenda.models import EnvoiRappel, Frequence, RappelRecurrent
from espace_sante.acces import Role

from ..factories import RepresentationFactory
from .outils import acces_de, dans, rdv_creer

pytestmark = pytest.mark.django_db


def _recurrent(**champs) -> RappelRecurrent:  # type: ignore[no-untyped-def]
    valeurs = {
        "frequence": Frequence.JOUR,
        "intervalle": 1,
        "heure": time(8, 0),
        "debut": date(2027, 3, 26),
        "occurrences": 4,
        "libelle": "Traitement",
    }
    return RappelRecurrent(**{**valeurs, **champs})


def test_eight_oclock_stays_eight_oclock_local_across_the_spring_change() -> None:
    heures_utc = [m.astimezone(UTC).hour for _r, m in rappels.occurrences(_recurrent())]
    assert heures_utc == [7, 7, 6, 6]  # 28 March 2027: Paris goes from UTC+1 to UTC+2
    locales = [timezone.localtime(m).time() for _r, m in rappels.occurrences(_recurrent())]
    assert set(locales) == {time(8, 0)}


def test_and_across_the_autumn_change() -> None:
    occ = list(rappels.occurrences(_recurrent(debut=date(2027, 10, 30), occurrences=3)))
    assert [m.astimezone(UTC).hour for _r, m in occ] == [6, 7, 7]


def test_every_three_months_from_the_31st_counts_from_the_start() -> None:
    occ = rappels.occurrences(
        _recurrent(frequence=Frequence.MOIS, intervalle=1, debut=date(2027, 1, 31), occurrences=3)
    )
    assert [m.date() for _r, m in occ] == [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31)]
    trimestre = rappels.occurrences(
        _recurrent(
            frequence=Frequence.MOIS,
            intervalle=3,
            debut=date(2027, 1, 15),
            fin=date(2027, 12, 31),
            occurrences=None,
        )
    )
    assert [m.month for _r, m in trimestre] == [1, 4, 7, 10]


def test_a_skipped_hour_is_refused_and_an_existing_one_is_read_in_paris() -> None:
    from espace_sante.lib.erreurs import Refus

    with pytest.raises(Refus):
        services_rdv.debut_local(date(2027, 3, 28), time(2, 30))
    assert services_rdv.debut_local(date(2026, 12, 4), time(14, 30)).astimezone(UTC).hour == 13
    assert services_rdv.debut_local(date(2027, 7, 1), time(14, 30)).astimezone(UTC).hour == 12


def test_sendings_are_created_for_the_holder_and_a_minors_representatives(titulaire) -> None:  # type: ignore[no-untyped-def]
    enfant = RepresentationFactory(representant=titulaire).espace
    autre_parent = RepresentationFactory(espace=enfant).representant
    rdv_creer(enfant, dans(60), rappels=[(59, "minutes")])
    rdv_creer(titulaire, dans(60 * 24 + 1), rappels=[(1, "jours")])  # due in 1 min
    rdv_creer(titulaire, dans(60 * 24), rappels=[(2, "heures")])  # not due yet

    assert rappels.envois_creer() == 3
    assert rappels.envois_creer() == 0  # nothing twice
    qui = set(EnvoiRappel.objects.values_list("destinataire_id", flat=True))
    assert qui == {titulaire.titulaire_id, autre_parent.titulaire_id}


def test_a_batch_sends_each_due_row_once_without_health_detail(titulaire) -> None:  # type: ignore[no-untyped-def]
    rdv_creer(titulaire, dans(30.5), titre="Psychiatre", rappels=[(30, "minutes")])
    rappels.envois_creer(maintenant=dans(1))
    mail.outbox = []

    assert rappels.lot_envoyer() == 0  # not due yet
    envoi = EnvoiRappel.objects.get()
    EnvoiRappel.objects.update(echeance=timezone.now() - timedelta(seconds=1))
    assert rappels.lot_envoyer() == 1
    assert rappels.lot_envoyer() == 0

    (message,) = mail.outbox
    assert message.subject.startswith("Rappel de votre rendez-vous du ")
    assert "Psychiatre" not in message.subject and "Psychiatre" not in message.body
    assert message.extra_headers["Message-ID"] == rappels.message_id(envoi.pk)
    envoi.refresh_from_db()
    assert envoi.statut == EnvoiRappel.Statut.ENVOYE and envoi.envoye_le is not None


def test_the_title_is_in_the_body_only_for_who_opted_in(titulaire) -> None:  # type: ignore[no-untyped-def]
    services_rdv.preferences_modifier(acces=acces_de(titulaire), details=True)
    rdv_creer(titulaire, dans(10.5), titre="Psychiatre", rappels=[(10, "minutes")])
    rappels.envois_creer()
    EnvoiRappel.objects.update(echeance=timezone.now())
    mail.outbox = []
    rappels.lots_envoyer()
    (message,) = mail.outbox
    assert "Rendez-vous : Psychiatre" in message.body
    assert "Psychiatre" not in message.subject


def test_a_claim_whose_lease_ran_out_is_taken_again_and_a_live_one_is_not(
    titulaire, settings
) -> None:  # type: ignore[no-untyped-def]
    rdv_creer(titulaire, dans(10.5), rappels=[(10, "minutes"), (9, "minutes")])
    rappels.envois_creer()
    mort, vivant = EnvoiRappel.objects.order_by("echeance")
    EnvoiRappel.objects.filter(pk=mort.pk).update(
        statut="en_cours",
        reserve_le=timezone.now() - timedelta(seconds=settings.AGENDA_BAIL_SECONDES + 1),
    )
    EnvoiRappel.objects.filter(pk=vivant.pk).update(statut="en_cours", reserve_le=timezone.now())
    mail.outbox = []
    assert rappels.lots_envoyer() == 1
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [rappels.message_id(mort.pk)]
    vivant.refresh_from_db()
    assert vivant.statut == "en_cours"  # its worker lives: never sent by another

    # a worker whose lease was taken over does not mark the row: the new holder does
    assert rappels.envois_marquer([vivant.pk], timezone.now() - timedelta(hours=1)) == 0


def test_a_moved_appointment_drops_its_waiting_sendings(titulaire) -> None:  # type: ignore[no-untyped-def]
    rdv = rdv_creer(titulaire, dans(10.5), rappels=[(10, "minutes")])
    rappels.envois_creer()
    donnees = services_rdv.DonneesRendezVous(
        titre="Dentiste",
        debut=dans(120),
        duree_minutes=30,
        professionnel=None,
        professionnel_libre="",
        lieu="",
        notes="",
        rappels=[(10, "minutes")],
    )
    services_rdv.rendez_vous_modifier(acces=acces_de(titulaire), rdv=rdv, donnees=donnees)
    assert not EnvoiRappel.objects.exists()
    assert rappels.envois_creer(maintenant=dans(111)) == 1


def test_a_late_beat_sends_late_but_not_for_a_begun_appointment(titulaire) -> None:  # type: ignore[no-untyped-def]
    rdv_creer(titulaire, dans(30.5), rappels=[(30, "minutes")])
    rdv_creer(titulaire, dans(90), rappels=[(80, "minutes")])
    assert rappels.envois_creer(maintenant=dans(40)) == 1  # the first one began: skipped


def test_a_recurring_reminder_creates_its_occurrences_as_they_come(titulaire) -> None:  # type: ignore[no-untyped-def]
    maintenant = timezone.localtime()
    heure = (maintenant + timedelta(minutes=1)).time().replace(second=0, microsecond=0)
    recurrent = services_rdv.rappel_recurrent_creer(
        acces=acces_de(titulaire),
        donnees=services_rdv.DonneesRecurrent(
            libelle="Traitement",
            frequence="jour",
            intervalle=1,
            heure=heure,
            debut=(maintenant + timedelta(minutes=1)).date(),
            fin=None,
            occurrences=3,
        ),
    )
    assert rappels.envois_creer() == 1
    assert rappels.envois_creer(maintenant=dans(60 * 24 + 1)) == 1
    assert rappels.envois_creer(maintenant=dans(60 * 48 + 1)) == 1
    assert rappels.envois_creer(maintenant=dans(60 * 24 * 10)) == 0
    recurrent.refresh_from_db()
    assert recurrent.prochaine is None
    mail.outbox = []
    EnvoiRappel.objects.update(echeance=F("echeance") - timedelta(days=3))
    assert rappels.lots_envoyer() == 3
    assert all("Traitement" not in m.body for m in mail.outbox)


def test_a_representative_s_access_acts_on_the_childs_agenda(titulaire) -> None:  # type: ignore[no-untyped-def]
    enfant = RepresentationFactory(representant=titulaire).espace
    acces = acces_de(enfant, Role.REPRESENTANT, titulaire.titulaire)
    services_rdv.preferences_modifier(acces=acces, details=True)
    assert services_rdv.details_dans_les_rappels(acces=acces)
    assert not services_rdv.details_dans_les_rappels(acces=acces_de(titulaire))


__all__ = ["datetime"]


def test_an_address_refused_for_good_is_dropped_and_blocks_nobody(
    titulaire, autre_titulaire, settings
) -> None:  # type: ignore[no-untyped-def]
    from .outils import Refusant

    settings.AGENDA_EMAIL_BACKEND = "tests.agenda.outils.Refusant"
    Refusant.recus = []
    titulaire.titulaire.email = "refuse@exemple.test"
    titulaire.titulaire.save()
    rdv_creer(titulaire, dans(10.5), rappels=[(10, "minutes")])
    rdv_creer(autre_titulaire, dans(10.5), rappels=[(10, "minutes")])
    rappels.envois_creer()
    EnvoiRappel.objects.update(echeance=timezone.now() - timedelta(days=1))
    assert rappels.lots_envoyer() == 1
    assert sorted(EnvoiRappel.objects.values_list("statut", flat=True)) == ["annule", "envoye"]
    assert [m.to for m in Refusant.recus] == [[autre_titulaire.titulaire.email]]


def test_one_tick_plans_every_due_reminder_slice_by_slice(titulaire, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AGENDA_PLANIFICATION_TRANCHE = 2
    for minutes in range(5):
        rdv_creer(titulaire, dans(30.5 + minutes), rappels=[(30 + minutes, "minutes")])
    assert rappels.envois_creer() == 5
    assert rappels.envois_creer() == 0
