"""The agenda's pages (issue 19, points 1 and 6): an appointment added, changed, deleted
without JavaScript, read in Paris time, the month as a table, a child's agenda managed by a
representative, someone else's appointment a 404, bad input refused in plain French, and a
fixed number of queries whatever the number of appointments."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agenda.models import Rappel, RendezVous

from ..conftest import client_pour
from ..factories import RepresentationFactory
from .outils import dans, rdv_creer

pytestmark = pytest.mark.django_db


def _donnees(**champs: str) -> dict[str, str]:
    return {
        "titre": "Dentiste",
        "jour": "2026-12-04",
        "heure": "14:30",
        "duree_minutes": "30",
        "professionnel_libre": "Dr Durand",
        "lieu": "12 rue de la Paix",
        "notes": "<script>alert(1)</script>",
        "rappel_1_avance": "1",
        "rappel_1_unite": "jours",
        "rappel_2_avance": "2",
        "rappel_2_unite": "heures",
        **champs,
    }


def test_the_holder_adds_an_appointment_read_in_paris_time(titulaire, client_titulaire) -> None:  # type: ignore[no-untyped-def]
    url = reverse("agenda:ajouter", args=[titulaire.uuid])
    assert client_titulaire.get(url).status_code == 200
    reponse = client_titulaire.post(url, _donnees())
    assert reponse.status_code == 302
    rdv = RendezVous.objects.get(espace=titulaire)
    assert rdv.debut.astimezone(UTC).hour == 13  # 14:30 in Paris in December: UTC+1
    assert sorted(Rappel.objects.values_list("avance", "unite")) == [(1, "jours"), (2, "heures")]
    page = client_titulaire.get(reverse("agenda:liste", args=[titulaire.uuid]))
    assert "Dentiste" in page.content.decode()
    assert "<script>alert(1)</script>" not in page.content.decode()  # shown as text


def test_summer_time_and_the_skipped_hour(titulaire, client_titulaire) -> None:  # type: ignore[no-untyped-def]
    url = reverse("agenda:ajouter", args=[titulaire.uuid])
    client_titulaire.post(url, _donnees(jour="2027-07-01"))
    assert RendezVous.objects.get().debut.astimezone(UTC).hour == 12
    reponse = client_titulaire.post(url, _donnees(jour="2027-03-28", heure="02:30"))
    assert reponse.status_code == 200
    assert "passage à l" in reponse.content.decode()


@pytest.mark.parametrize(
    ("champs", "attendu"),
    [
        ({"duree_minutes": "0"}, "supérieure ou égale à 1"),
        ({"jour": "2046-01-01"}, "trop loin dans l"),
        ({"jour": "1850-01-01"}, "trop ancienne"),
        ({"rappel_1_unite": ""}, "ou aucun des deux"),
        ({"titre": ""}, "obligatoire"),
    ],
)
def test_bad_input_is_refused_in_plain_french(titulaire, client_titulaire, champs, attendu) -> None:  # type: ignore[no-untyped-def]
    reponse = client_titulaire.post(
        reverse("agenda:ajouter", args=[titulaire.uuid]), _donnees(**champs)
    )
    assert reponse.status_code == 200
    assert attendu in reponse.content.decode()
    assert not RendezVous.objects.exists()


def test_edit_and_delete_after_a_confirmation_page(titulaire, client_titulaire) -> None:  # type: ignore[no-untyped-def]
    rdv = rdv_creer(titulaire, dans(60 * 24 * 3), rappels=[(1, "heures")])
    url = reverse("agenda:modifier", args=[titulaire.uuid, rdv.uuid])
    assert "Dentiste" in client_titulaire.get(url).content.decode()
    client_titulaire.post(
        url, _donnees(titre="Orthodontiste", rappel_2_avance="", rappel_2_unite="")
    )
    rdv.refresh_from_db()
    assert rdv.titre == "Orthodontiste" and rdv.rappels.count() == 1

    supprimer = reverse("agenda:supprimer", args=[titulaire.uuid, rdv.uuid])
    assert "Supprimer le rendez-vous ?" in client_titulaire.get(supprimer).content.decode()
    assert RendezVous.objects.exists()  # a GET deletes nothing
    assert client_titulaire.post(supprimer).status_code == 302
    assert not RendezVous.objects.exists()


def test_someone_elses_appointment_is_a_404(titulaire, autre_titulaire, client_autre) -> None:  # type: ignore[no-untyped-def]
    rdv = rdv_creer(titulaire, dans(60))
    for nom in ("modifier", "supprimer"):
        # through the other's own space, and through the holder's
        assert (
            client_autre.get(
                reverse(f"agenda:{nom}", args=[autre_titulaire.uuid, rdv.uuid])
            ).status_code
            == 404
        )
        assert (
            client_autre.post(reverse(f"agenda:{nom}", args=[titulaire.uuid, rdv.uuid])).status_code
            == 404
        )
    assert client_autre.get(reverse("agenda:liste", args=[titulaire.uuid])).status_code == 404
    assert client_autre.get(reverse("agenda:mois", args=[titulaire.uuid])).status_code == 404
    assert RendezVous.objects.filter(pk=rdv.pk).exists()


def test_a_representative_manages_the_childs_agenda(titulaire, client_titulaire) -> None:  # type: ignore[no-untyped-def]
    enfant = RepresentationFactory(representant=titulaire).espace
    client_titulaire.post(reverse("agenda:ajouter", args=[enfant.uuid]), _donnees(titre="Vaccin"))
    rdv = RendezVous.objects.get(espace=enfant)
    page = client_titulaire.get(reverse("agenda:liste", args=[enfant.uuid])).content.decode()
    assert "Vaccin" in page
    assert (
        client_titulaire.get(reverse("agenda:modifier", args=[enfant.uuid, rdv.uuid])).status_code
        == 200
    )
    # the child's appointment is not reached through the parent's own space
    assert (
        client_titulaire.get(
            reverse("agenda:modifier", args=[titulaire.uuid, rdv.uuid])
        ).status_code
        == 404
    )


def test_the_professional_is_one_of_mine_or_a_name(
    titulaire, client_titulaire, pro_autorise, pro_non_autorise
) -> None:  # type: ignore[no-untyped-def]
    url = reverse("agenda:ajouter", args=[titulaire.uuid])
    page = client_titulaire.get(url).content.decode()
    assert pro_autorise.nom_affiche in page and pro_non_autorise.nom_affiche not in page
    client_titulaire.post(url, _donnees(professionnel=str(pro_non_autorise.uuid)))
    assert not RendezVous.objects.exists()
    client_titulaire.post(url, _donnees(professionnel=str(pro_autorise.uuid)))
    assert RendezVous.objects.get().professionnel == pro_autorise


def test_the_month_is_a_table_with_previous_and_next(titulaire, client_titulaire) -> None:  # type: ignore[no-untyped-def]
    client_titulaire.post(reverse("agenda:ajouter", args=[titulaire.uuid]), _donnees())
    url = reverse("agenda:mois", args=[titulaire.uuid])
    page = client_titulaire.get(url, {"mois": "2026-12"}).content.decode()
    assert '<table id="calendrier"' in page and "14h30 Dentiste" in page
    assert "?mois=2026-11" in page and "?mois=2027-01" in page
    assert "Dentiste" not in client_titulaire.get(url, {"mois": "2027-01"}).content.decode()
    assert client_titulaire.get(url, {"mois": "n'importe quoi"}).status_code == 200
    assert client_titulaire.get(url, {"mois": "9999-01"}).status_code == 200


def test_recurring_reminders_must_end_and_step(titulaire, client_titulaire) -> None:  # type: ignore[no-untyped-def]
    url = reverse("agenda:recurrent_ajouter", args=[titulaire.uuid])
    demain = (timezone.localdate() + timedelta(days=1)).isoformat()
    base = {
        "libelle": "Traitement",
        "frequence": "jour",
        "intervalle": "1",
        "heure": "08:00",
        "debut": demain,
    }
    assert "doit s&#x27;arrêter" in client_titulaire.post(url, base).content.decode()
    assert (
        "supérieure ou égale à 1"
        in client_titulaire.post(
            url, {**base, "intervalle": "0", "occurrences": "3"}
        ).content.decode()
    )
    assert "trop loin" in client_titulaire.post(url, {**base, "fin": "2046-01-01"}).content.decode()
    assert (
        "au-delà de 10 ans"
        in client_titulaire.post(
            url, {**base, "frequence": "mois", "occurrences": "200"}
        ).content.decode()
    )
    assert client_titulaire.post(url, {**base, "occurrences": "30"}).status_code == 302
    page = client_titulaire.get(reverse("agenda:liste", args=[titulaire.uuid])).content.decode()
    assert "Traitement" in page and "30 fois" in page


def test_the_details_choice_is_saved(titulaire, client_titulaire) -> None:  # type: ignore[no-untyped-def]
    from agenda.models import PreferencesAgenda

    url = reverse("agenda:preferences", args=[titulaire.uuid])
    client_titulaire.post(url, {"details_dans_les_rappels": "on"})
    assert PreferencesAgenda.objects.get().details_dans_les_rappels
    client_titulaire.post(url, {})
    assert not PreferencesAgenda.objects.get().details_dans_les_rappels
    assert client_titulaire.get(url).status_code == 405


def test_the_menu_has_the_agenda(titulaire, client_titulaire) -> None:  # type: ignore[no-untyped-def]
    page = client_titulaire.get(reverse("agenda:liste", args=[titulaire.uuid])).content.decode()
    assert 'aria-current="page"' in page and ">Agenda<" in page


@pytest.mark.parametrize("nom", ["liste", "mois"])
def test_the_pages_ask_a_fixed_number_of_queries(titulaire, nom) -> None:  # type: ignore[no-untyped-def]
    client = client_pour(titulaire.titulaire)
    url = reverse(f"agenda:{nom}", args=[titulaire.uuid])
    maintenant = timezone.localtime()
    mois = (maintenant + timedelta(days=2)).strftime("%Y-%m")

    def compter() -> int:
        with CaptureQueriesContext(connection) as requetes:
            assert client.get(url, {"mois": mois}).status_code == 200
        return len(requetes)

    for jours in (-2, 2):  # one past, one to come, in the month shown
        rdv_creer(titulaire, maintenant + timedelta(days=jours), rappels=[(1, "heures")])
    compter()  # the session's and the menu's first reads
    peu = compter()
    for rang in range(40):
        rdv_creer(
            titulaire,
            maintenant + timedelta(days=rang - 20, hours=rang % 5),
            rappels=[(1, "jours"), (1, "heures")],
        )
    assert compter() == peu
    # session, account, space; appointments to come and past (each with its reminders) or
    # the month's (with theirs); recurring reminders and the e-mail choice (the list); the
    # menu's unread count; the recommended care (what was marked done or dismissed, the
    # vaccinations recorded, the vaccination documents not read when a dose would be late: 3);
    # the session's save (3 statements)
    assert peu == {"liste": 15, "mois": 11}[nom], peu


def test_the_agenda_is_journaled_without_what_it_is_about(titulaire) -> None:  # type: ignore[no-untyped-def]
    """Every change of the agenda is a line of the space's history, naming the action and
    the person, never the appointment's object, place or notes."""
    from agenda import services_prevention, services_rdv
    from espace_sante.acces import espace_pour_acteur
    from espace_sante.journal.models import Action, Evenement

    acces = espace_pour_acteur(utilisateur=titulaire.titulaire, espace_uuid=titulaire.uuid)
    rdv = rdv_creer(titulaire, timezone.localtime() + timedelta(days=3), rappels=[(1, "jours")])
    services_rdv.rendez_vous_supprimer(acces=acces, rdv=rdv)
    services_prevention.flux_creer(acces=acces, avec_details=False)
    services_prevention.flux_revoquer(acces=acces)
    services_prevention.prevention_refuser(acces=acces, theme="depistage_colorectal")
    actions = list(
        Evenement.objects.filter(espace_uuid=titulaire.uuid)
        .order_by("rang")
        .values_list("action", flat=True)
    )
    for action in (
        Action.RDV_AJOUTE,
        Action.RDV_SUPPRIME,
        Action.FLUX_CREE,
        Action.FLUX_REVOQUE,
        Action.PREVENTION_REGLEE,
    ):
        assert action in actions
    lignes = " ".join(
        f"{e.details} {e.objet_id}" for e in Evenement.objects.filter(espace_uuid=titulaire.uuid)
    )
    assert rdv.titre not in lignes and "colorectal" not in lignes
