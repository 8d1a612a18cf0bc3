"""The medical profile: sections, validation, encryption, history, personas."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from espace_sante.journal.models import Action, Evenement
from profil.models import Allergie, Antecedent, Vaccination

from ..conftest import client_pour

pytestmark = pytest.mark.django_db


def _ajouter(client, espace, section: str, **donnees: object):  # type: ignore[no-untyped-def]
    return client.post(reverse("profil:profil_ajouter", args=[espace.uuid, section]), donnees)


def test_an_allergy_is_added_shown_and_stored_encrypted(client_titulaire, titulaire) -> None:
    reponse = _ajouter(
        client_titulaire,
        titulaire,
        "allergies",
        substance="Pénicilline",
        reaction="Urticaire géante",
        severite="severe",
        depuis="2010-05-01",
    )
    assert reponse.status_code == 302
    page = client_titulaire.get(reverse("profil:profil_medical", args=[titulaire.uuid]))
    assert "Pénicilline" in page.content.decode() and "Sévère" in page.content.decode()
    with connection.cursor() as curseur:
        curseur.execute("SELECT substance, reaction FROM profil_allergie")
        brut = " ".join(str(v) for v in curseur.fetchone())
    assert "Pénicilline" not in brut and "Urticaire" not in brut
    evenement = Evenement.objects.get(action=Action.PROFIL_AJOUT)
    assert evenement.details == {"section": "allergies"}
    assert "Pénicilline" not in str(evenement.details) + evenement.objet_id


@pytest.mark.parametrize(
    ("section", "donnees", "message"),
    [
        (
            "allergies",
            {"substance": "Pollen", "severite": "legere", "depuis": "2999-01-01"},
            "futur",
        ),
        ("traitements", {"medicament": "Levothyrox", "depuis": "1950-01-01"}, "naissance"),
        ("vaccinations", {"famille": "Grippe", "date": "1950-01-01"}, "naissance"),
        ("allergies", {"substance": "", "severite": "legere"}, "obligatoire"),
        ("vaccinations", {"famille": "Inconnu", "date": "2020-01-01"}, "choix"),
    ],
)
def test_impossible_values_are_refused_and_change_nothing(
    client_titulaire, titulaire, section, donnees, message
) -> None:
    reponse = _ajouter(client_titulaire, titulaire, section, **donnees)
    assert reponse.status_code == 400 and message in reponse.content.decode().lower()
    assert not Evenement.objects.filter(action=Action.PROFIL_AJOUT).exists()


def test_a_family_history_may_predate_the_birth(client_titulaire, titulaire) -> None:
    reponse = _ajouter(
        client_titulaire,
        titulaire,
        "antecedents",
        nature="familial",
        libelle="Infarctus du père",
        date="1975-06-01",
    )
    assert reponse.status_code == 302 and Antecedent.objects.count() == 1


def test_the_same_vaccination_twice_on_one_day_is_refused(client_titulaire, titulaire) -> None:
    assert (
        _ajouter(
            client_titulaire, titulaire, "vaccinations", famille="DTP", date="2020-02-02"
        ).status_code
        == 302
    )
    reponse = _ajouter(
        client_titulaire, titulaire, "vaccinations", famille="DTP", date="2020-02-02"
    )
    assert reponse.status_code == 400 and "déjà notée" in reponse.content.decode()
    assert Vaccination.objects.count() == 1


def test_a_vaccination_updates_the_calendar(client_titulaire, titulaire) -> None:
    url = reverse("profil:profil_medical", args=[titulaire.uuid])
    vingt_cinq_ans = titulaire.date_naissance.replace(year=titulaire.date_naissance.year + 25)
    avant = client_titulaire.get(url).content.decode()
    assert "echeance--en_retard" in avant
    _ajouter(
        client_titulaire, titulaire, "vaccinations", famille="DTP", date=vingt_cinq_ans.isoformat()
    )
    apres = client_titulaire.get(url).content.decode()
    assert f"Faite {vingt_cinq_ans:%d/%m/%Y}" in apres


def test_markup_in_free_text_is_shown_as_text(client_titulaire, titulaire) -> None:
    _ajouter(client_titulaire, titulaire, "traitements", medicament="<script>alert(1)</script>")
    page = client_titulaire.get(reverse("profil:profil_medical", args=[titulaire.uuid]))
    assert "<script>alert(1)</script>" not in page.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.content.decode()


def test_edit_and_delete_keep_a_history(client_titulaire, titulaire) -> None:
    _ajouter(client_titulaire, titulaire, "allergies", substance="Arachide", severite="moderee")
    allergie = Allergie.objects.get()
    url = reverse("profil:profil_modifier", args=[titulaire.uuid, "allergies", allergie.uuid])
    client_titulaire.post(url, {"substance": "Arachide", "severite": "severe"})
    allergie.refresh_from_db()
    assert allergie.severite == "severe"
    page = client_titulaire.get(url).content.decode()
    assert "Profil médical : ajout" in page and "Profil médical : modification" in page
    client_titulaire.post(
        reverse("profil:profil_supprimer", args=[titulaire.uuid, "allergies", allergie.uuid])
    )
    assert not Allergie.objects.exists()
    assert Evenement.objects.filter(action=Action.PROFIL_SUPPRESSION).count() == 1


def test_a_representative_manages_the_minor_s_profile(enfant_represente, representant) -> None:
    client = client_pour(representant.titulaire)
    reponse = _ajouter(client, enfant_represente, "allergies", substance="Lait", severite="legere")
    assert reponse.status_code == 302
    assert Allergie.objects.get().saisi_par_type == "representant"


def test_another_space_s_profile_answers_404(client_autre, titulaire, client_titulaire) -> None:
    _ajouter(client_titulaire, titulaire, "allergies", substance="Latex", severite="legere")
    allergie = Allergie.objects.get()
    for url in [
        reverse("profil:profil_medical", args=[titulaire.uuid]),
        reverse("profil:profil_modifier", args=[titulaire.uuid, "allergies", allergie.uuid]),
        reverse("profil:profil_ajouter", args=[titulaire.uuid, "allergies"]),
    ]:
        assert client_autre.get(url).status_code == 404
    reponse = client_autre.post(
        reverse("profil:profil_supprimer", args=[titulaire.uuid, "allergies", allergie.uuid])
    )
    assert reponse.status_code == 404 and Allergie.objects.exists()
    assert (
        client_titulaire.get(
            reverse("profil:profil_ajouter", args=[titulaire.uuid, "inconnue"])
        ).status_code
        == 404
    )


def test_dates_today_are_accepted(client_titulaire, titulaire) -> None:
    aujourd_hui = timezone.localdate()
    reponse = _ajouter(
        client_titulaire, titulaire, "vaccinations", famille="Grippe", date=aujourd_hui.isoformat()
    )
    assert reponse.status_code == 302
    demain = aujourd_hui + timedelta(days=1)
    reponse = _ajouter(
        client_titulaire, titulaire, "vaccinations", famille="Grippe", date=demain.isoformat()
    )
    assert reponse.status_code == 400


def test_measures_are_checked_for_plausibility(client_titulaire, titulaire) -> None:
    for donnees, message in [
        ({"type": "poids", "valeur": "-3", "date": "2026-01-01"}, "comprise entre"),
        (
            {"type": "tension", "valeur": "80", "valeur_basse": "120", "date": "2026-01-01"},
            "plus élevée que la diastolique",
        ),
        ({"type": "tension", "valeur": "120", "date": "2026-01-01"}, "diastolique"),
        ({"type": "temperature", "valeur": "52", "date": "2026-01-01"}, "comprise entre"),
    ]:
        reponse = _ajouter(client_titulaire, titulaire, "mesures", **donnees)
        assert reponse.status_code == 400 and message in reponse.content.decode(), donnees
    assert not titulaire.mesures.exists()


def test_measures_draw_a_chart_with_their_points_and_the_bmi(client_titulaire, titulaire) -> None:
    import re

    for jour, poids in [("2026-01-10", "70"), ("2026-02-10", "72.5"), ("2026-03-10", "71")]:
        _ajouter(client_titulaire, titulaire, "mesures", type="poids", valeur=poids, date=jour)
    _ajouter(client_titulaire, titulaire, "mesures", type="taille", valeur="170", date="2026-01-10")
    _ajouter(
        client_titulaire,
        titulaire,
        "mesures",
        type="tension",
        valeur="128",
        valeur_basse="82",
        date="2026-03-01",
    )
    page = client_titulaire.get(reverse("profil:profil_medical", args=[titulaire.uuid]))
    html = page.content.decode()
    courbe = html[
        html.index('id="courbe-poids"') : html.index("</figure>", html.index('id="courbe-poids"'))
    ]
    points = re.findall(r'<circle class="graphique__point" cx="([\d.]+)" cy="([\d.]+)"', courbe)
    assert len(points) == 3
    xs, ys = [float(x) for x, _ in points], [float(y) for _, y in points]
    assert xs == sorted(xs)  # oldest first, left to right
    assert ys[1] < ys[2] < ys[0]  # 72.5 is highest on screen (smallest y), 70 lowest
    assert "10/01/2026 : 70 kg" in courbe and "72,5 kg" in courbe
    assert "24.6" in html or "24,6" in html  # 71 / 1.70² = 24.57
    tension = html[html.index('id="courbe-tension"') :]
    assert "graphique__bande--haute" in tension and "graphique__bande--basse" in tension
    assert "128/82 mmHg" in tension


def test_a_representative_cannot_write_a_minor_s_directives(
    enfant_represente, representant
) -> None:
    client = client_pour(representant.titulaire)
    for cle in ["directives", "personne_confiance"]:
        url = reverse("profil:profil_unique", args=[enfant_represente.uuid, cle])
        assert client.get(url).status_code == 404


def test_habits_organ_donation_and_people_to_call(client_titulaire, titulaire) -> None:
    volontes = "profil:profil_unique"
    assert (
        client_titulaire.post(
            reverse(volontes, args=[titulaire.uuid, "habitudes"]), {"tabac": "Arrêté en 2015"}
        ).status_code
        == 302
    )
    assert (
        client_titulaire.post(
            reverse(volontes, args=[titulaire.uuid, "don_organes"]), {"position": "accepte"}
        ).status_code
        == 302
    )
    refus = _ajouter(
        client_titulaire, titulaire, "personnes_a_prevenir", nom="Alex Martin", telephone="12"
    )
    assert refus.status_code == 400 and "numéro de téléphone valide" in refus.content.decode()
    assert (
        _ajouter(
            client_titulaire,
            titulaire,
            "personnes_a_prevenir",
            nom="Alex Martin",
            lien="frère",
            telephone="06 12 34 56 78",
        ).status_code
        == 302
    )
    page = client_titulaire.get(reverse("profil:profil_medical", args=[titulaire.uuid]))
    html = page.content.decode()
    assert "Arrêté en 2015" in html and "J&#x27;accepte de donner" in html
    assert "Alex Martin" in html and "0612345678" in html
    assert reverse("professionnels:liste", args=[titulaire.uuid]) in html


def test_a_representative_keeps_a_minor_s_habits_but_not_adult_only_choices(
    enfant_represente, representant
) -> None:
    client = client_pour(representant.titulaire)
    volontes = "profil:profil_unique"
    assert (
        client.post(
            reverse(volontes, args=[enfant_represente.uuid, "habitudes"]), {"sommeil": "10 h"}
        ).status_code
        == 302
    )
    assert (
        client.get(reverse(volontes, args=[enfant_represente.uuid, "don_organes"])).status_code
        == 404
    )


PAGES_PATIENT = [
    ("profil:profil_medical", []),
    ("profil:profil_ajouter", ["allergies"]),
    ("ensemble:synthese", []),
    ("profil:profil_unique", ["habitudes"]),
]


@pytest.mark.parametrize(("nom", "extra"), PAGES_PATIENT)
def test_every_profile_page_answers_each_persona_as_it_should(
    nom, extra, titulaire, enfant_represente, representant, autre_titulaire, pro_autorise
) -> None:
    from django.test import Client

    pour_titulaire = reverse(nom, args=[titulaire.uuid, *extra])
    pour_enfant = reverse(nom, args=[enfant_represente.uuid, *extra])
    assert client_pour(titulaire.titulaire).get(pour_titulaire).status_code == 200
    assert client_pour(representant.titulaire).get(pour_enfant).status_code == 200
    assert client_pour(autre_titulaire.titulaire).get(pour_titulaire).status_code == 404
    assert client_pour(pro_autorise.utilisateur).get(pour_titulaire).status_code == 404
    anonyme = Client().get(pour_titulaire)
    assert anonyme.status_code == 302 and "/comptes/login/" in anonyme["Location"]


def test_one_per_person_parts_can_be_changed_deleted_and_keep_a_history(
    client_titulaire, titulaire
) -> None:
    from profil.models import PersonneConfiance

    url = reverse("profil:profil_unique", args=[titulaire.uuid, "personne_confiance"])
    client_titulaire.post(url, {"nom": "Alex Martin"})
    client_titulaire.post(url, {"nom": "Alex Martin", "lien": "frère"})
    page = client_titulaire.get(url).content.decode()
    assert "Profil médical : ajout" in page and "Profil médical : modification" in page
    supprimer = reverse(
        "profil:profil_unique_supprimer", args=[titulaire.uuid, "personne_confiance"]
    )
    assert client_titulaire.post(supprimer).status_code == 302
    assert not PersonneConfiance.objects.exists()
    assert "Profil médical : suppression" in client_titulaire.get(url).content.decode()
