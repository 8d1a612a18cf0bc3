from __future__ import annotations

import logging
import re
import uuid
from datetime import date

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from espace_sante.journal.models import Action, Evenement
from espace_sante.journal.services import Acteur
from profil import services
from profil.models import CodeActivation, Espace, Statut

from ..conftest import client_pour
from ..factories import MOT_DE_PASSE, EspaceFactory, RepresentationFactory, UtilisateurFactory, nir

pytestmark = pytest.mark.django_db

PAGES = [
    "ensemble:espace",
    "profil:profil_medical",
    "ensemble:historique",
    "profil:parametres",
    "profil:cloturer",
    "dossier:documents",
    "professionnels:liste",
]
PAGES_REPRESENTANT = [p for p in PAGES if p != "profil:cloturer"]


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_login(page: str, titulaire: Espace) -> None:
    url = reverse(page, args=[titulaire.uuid])
    reponse = Client().get(url)
    assert reponse.status_code == 302
    assert reponse["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("page", PAGES)
def test_the_holder_sees_their_pages(
    page: str, client_titulaire: Client, titulaire: Espace
) -> None:
    reponse = client_titulaire.get(reverse(page, args=[titulaire.uuid]))
    assert reponse.status_code == 200
    assert "Vous êtes dans votre espace santé" in reponse.content.decode()


@pytest.mark.parametrize("page", PAGES)
def test_another_person_gets_404(page: str, client_autre: Client, titulaire: Espace) -> None:
    assert client_autre.get(reverse(page, args=[titulaire.uuid])).status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_an_unknown_space_is_404_like_a_forbidden_one(page: str, client_titulaire: Client) -> None:
    assert client_titulaire.get(reverse(page, args=[uuid.uuid4()])).status_code == 404


@pytest.mark.parametrize("page", PAGES_REPRESENTANT)
def test_a_representative_acts_for_the_minor_with_a_visible_banner(
    page: str, representant: Espace, enfant_represente: Espace
) -> None:
    client = client_pour(representant.titulaire)
    reponse = client.get(reverse(page, args=[enfant_represente.uuid]))
    assert reponse.status_code == 200
    assert "en tant que représentant légal" in reponse.content.decode()


def test_a_representative_cannot_close_the_minor_space(
    representant: Espace, enfant_represente: Espace
) -> None:
    client = client_pour(representant.titulaire)
    assert client.get(reverse("profil:cloturer", args=[enfant_represente.uuid])).status_code == 404
    reponse = client.post(
        reverse("profil:cloturer", args=[enfant_represente.uuid]),
        {"password": MOT_DE_PASSE, "confirmation": "on"},
    )
    assert reponse.status_code == 404
    assert Espace.objects.get(pk=enfant_represente.pk).statut == Statut.ACTIF


@pytest.mark.parametrize("page", PAGES_REPRESENTANT)
def test_a_representative_cannot_act_on_a_minor_they_do_not_represent(
    page: str, representant: Espace
) -> None:
    autre_enfant = RepresentationFactory().espace
    client = client_pour(representant.titulaire)
    assert client.get(reverse(page, args=[autre_enfant.uuid])).status_code == 404


def test_representation_ends_at_majority_for_every_page(representant: Espace) -> None:
    aujourd_hui = timezone.localdate()
    majeur = RepresentationFactory(
        representant=representant,
        espace__date_naissance=aujourd_hui.replace(year=aujourd_hui.year - 18),
    ).espace
    client = client_pour(representant.titulaire)
    for page in PAGES_REPRESENTANT:
        assert client.get(reverse(page, args=[majeur.uuid])).status_code == 404


def test_switching_space_is_explicit_and_journaled(
    representant: Espace, enfant_represente: Espace
) -> None:
    client = client_pour(representant.titulaire)
    reponse = client.post(reverse("profil:basculer"), {"espace": str(enfant_represente.uuid)})
    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("ensemble:espace", args=[enfant_represente.uuid])
    assert Evenement.objects.filter(
        espace_uuid=enfant_represente.uuid, action=Action.BASCULE_ESPACE
    ).exists()
    accueil = client.get(reverse("accueil"))
    assert accueil["Location"] == reverse("ensemble:espace", args=[enfant_represente.uuid])
    page = client.get(accueil["Location"]).content.decode()
    assert 'id="bascule-espace"' in page


def test_switching_to_someone_elses_space_is_404(client_titulaire: Client) -> None:
    autre = EspaceFactory()
    assert (
        client_titulaire.post(reverse("profil:basculer"), {"espace": str(autre.uuid)}).status_code
        == 404
    )
    invalide = client_titulaire.post(reverse("profil:basculer"), {"espace": "pas-un-uuid"})
    assert invalide.status_code == 404
    assert client_titulaire.get(reverse("profil:basculer")).status_code == 405


def test_home_redirects_the_holder_to_their_space(
    client_titulaire: Client, titulaire: Espace
) -> None:
    reponse = client_titulaire.get(reverse("accueil"))
    assert reponse["Location"] == reverse("ensemble:espace", args=[titulaire.uuid])


def test_a_person_without_a_second_factor_must_set_one_up(titulaire: Espace) -> None:
    utilisateur = UtilisateurFactory(totp=False)
    espace = EspaceFactory(titulaire=utilisateur)
    client = client_pour(utilisateur)
    reponse = client.get(reverse("ensemble:espace", args=[espace.uuid]))
    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("mfa_activate_totp")


def test_pages_carry_a_strict_csp_and_no_inline_script(
    client_titulaire: Client, titulaire: Espace
) -> None:
    reponse = client_titulaire.get(reverse("ensemble:historique", args=[titulaire.uuid]))
    politique = reponse["Content-Security-Policy"]
    assert "script-src 'self'" in politique and "unsafe-inline" not in politique
    assert "frame-ancestors 'none'" in politique
    assert reponse["X-Frame-Options"] == "DENY"
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", reponse.content.decode())
    assert not re.search(r"\sstyle=", reponse.content.decode())


# --- Closure and re-opening ----------------------------------------------------------------------


def test_closing_without_reauthentication_changes_nothing(
    client_titulaire: Client, titulaire: Espace
) -> None:
    url = reverse("profil:cloturer", args=[titulaire.uuid])
    for donnees in (
        {"confirmation": "on"},
        {"password": "mauvais-mot-de-passe", "confirmation": "on"},
        {"password": MOT_DE_PASSE},
    ):
        reponse = client_titulaire.post(url, donnees)
        assert reponse.status_code == 200
        assert Espace.objects.get(pk=titulaire.pk).statut == Statut.ACTIF
    assert (
        "Mot de passe incorrect"
        in client_titulaire.post(url, {"password": "faux", "confirmation": "on"}).content.decode()
    )
    assert not Evenement.objects.filter(action=Action.CLOTURE).exists()


def test_closing_then_reopening(client_titulaire: Client, titulaire: Espace) -> None:
    reponse = client_titulaire.post(
        reverse("profil:cloturer", args=[titulaire.uuid]),
        {"password": MOT_DE_PASSE, "confirmation": "on", "demande_suppression": "on"},
        follow=True,
    )
    contenu = reponse.content.decode()
    assert "Votre espace santé est clôturé" in contenu and "suppression" in contenu
    titulaire.refresh_from_db()
    assert titulaire.statut == Statut.CLOTURE and titulaire.suppression_demandee_le
    # A closed space stays readable, never writable (tests/profil/test_cloture.py).
    documents = client_titulaire.get(reverse("dossier:documents", args=[titulaire.uuid]))
    assert documents.status_code == 200
    ajouter = client_titulaire.get(reverse("dossier:deposer", args=[titulaire.uuid]))
    assert ajouter.status_code == 404
    assert client_titulaire.get(reverse("profil:rouvrir", args=[titulaire.uuid])).status_code == 405
    client_titulaire.post(reverse("profil:rouvrir", args=[titulaire.uuid]))
    titulaire.refresh_from_db()
    assert titulaire.statut == Statut.ACTIF and titulaire.suppression_demandee_le is None


def test_another_person_cannot_reopen(client_autre: Client, titulaire: Espace) -> None:
    services.espace_cloturer(espace=titulaire, acteur=Acteur.systeme())
    assert client_autre.post(reverse("profil:rouvrir", args=[titulaire.uuid])).status_code == 404
    assert Espace.objects.get(pk=titulaire.pk).statut == Statut.CLOTURE


def test_a_representative_activates_the_minor_space(representant: Espace) -> None:
    enfant = RepresentationFactory(representant=representant, espace__statut=Statut.CREE).espace
    client = client_pour(representant.titulaire)
    client.post(reverse("profil:activer_mineur", args=[enfant.uuid]))
    assert Espace.objects.get(pk=enfant.pk).statut == Statut.ACTIF
    assert client.post(reverse("profil:activer_mineur", args=[enfant.uuid])).status_code == 302


def test_the_holder_cannot_use_the_minor_activation_on_their_own_space(
    client_titulaire: Client, titulaire: Espace
) -> None:
    url = reverse("profil:activer_mineur", args=[titulaire.uuid])
    assert client_titulaire.post(url).status_code == 404


# --- Activation by the person --------------------------------------------------------------------

NAISSANCE = date(1975, 2, 3)
MDP = "cheval-agrafe-1987"


@pytest.fixture
def a_activer(db) -> tuple[Espace, str]:  # type: ignore[no-untyped-def]
    return services.espace_precreer(
        acteur=Acteur.systeme(),
        identite=services.Identite(
            ins=nir("M", NAISSANCE, 42),
            nom_naissance="DUPONT",
            prenoms="Jean",
            date_naissance=NAISSANCE,
            sexe="M",
        ),
    )


def _formulaire(espace: Espace, code_clair: str, /, **changes: str) -> dict[str, str]:
    donnees = {
        "ins": espace.ins,
        "date_naissance": "1975-02-03",
        "code": code_clair,
        "choix": "activer",
    }
    donnees.update(changes)
    return donnees


def test_activation_in_two_steps_logs_the_person_in(a_activer, caplog) -> None:  # type: ignore[no-untyped-def]
    espace, code = a_activer
    client = Client()
    caplog.set_level(logging.DEBUG)
    etape1 = client.post(reverse("profil:activation"), _formulaire(espace, code))
    assert etape1["Location"] == reverse("profil:activation_identifiants")
    etape2 = client.post(
        etape1["Location"],
        {"email": "Jean@Exemple.test", "password1": MDP, "password2": MDP},
    )
    assert etape2["Location"] == reverse("accueil")
    espace.refresh_from_db()
    assert espace.statut == Statut.ACTIF and espace.titulaire.email == "jean@exemple.test"
    suite = client.get(reverse("accueil"), follow=True)
    assert suite.redirect_chain[-1][0] == reverse("mfa_activate_totp")
    journaux = caplog.text
    assert code not in journaux and espace.ins not in journaux
    assert client.get(reverse("profil:activation_identifiants")).status_code == 302


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": "ZZZZ-ZZZZ-ZZZZ"}, "est incorrect"),
        ({"date_naissance": "1975-02-04"}, "est incorrect"),
        ({"ins": "175027500004299"}, "clé du numéro INS"),
        ({"ins": "12345"}, "15 caractères"),
        ({"date_naissance": "pas une date"}, "Saisissez une date valide"),
    ],
)
def test_bad_activation_input_is_answered_clearly_and_changes_nothing(
    a_activer, changes: dict[str, str], message: str
) -> None:
    espace, code = a_activer
    reponse = Client().post(reverse("profil:activation"), _formulaire(espace, code, **changes))
    assert reponse.status_code == 200
    assert message in reponse.content.decode()
    espace.refresh_from_db()
    assert espace.statut == Statut.CREE and espace.titulaire is None


def test_the_second_step_needs_a_verified_code(a_activer) -> None:  # type: ignore[no-untyped-def]
    reponse = Client().post(
        reverse("profil:activation_identifiants"),
        {"email": "x@exemple.test", "password1": MDP, "password2": MDP},
    )
    assert reponse["Location"] == reverse("profil:activation")
    assert Espace.objects.get(pk=a_activer[0].pk).statut == Statut.CREE


def test_a_weak_password_is_refused(a_activer) -> None:  # type: ignore[no-untyped-def]
    espace, code = a_activer
    client = Client()
    client.post(reverse("profil:activation"), _formulaire(espace, code))
    reponse = client.post(
        reverse("profil:activation_identifiants"),
        {"email": "x@exemple.test", "password1": "123456789012", "password2": "123456789012"},
    )
    assert reponse.status_code == 200 and "entièrement numérique" in reponse.content.decode()
    assert Espace.objects.get(pk=espace.pk).statut == Statut.CREE


def test_opposition_from_the_activation_page(a_activer) -> None:  # type: ignore[no-untyped-def]
    espace, code = a_activer
    client = Client()
    etape1 = client.post(reverse("profil:activation"), _formulaire(espace, code, choix="opposer"))
    assert etape1["Location"] == reverse("profil:activation_opposition")
    sans_confirmation = client.post(etape1["Location"], {})
    assert sans_confirmation.status_code == 200
    assert Espace.objects.get(pk=espace.pk).statut == Statut.CREE
    fait = client.post(etape1["Location"], {"confirmation": "on"})
    assert "opposition est enregistrée" in fait.content.decode()
    assert Espace.objects.get(pk=espace.pk).statut == Statut.OPPOSE


def test_brute_force_locks_the_code_and_journals_it(a_activer) -> None:  # type: ignore[no-untyped-def]
    espace, code = a_activer
    cache.clear()  # the per-INS throttle counts the other tests' tries with this INS
    client = Client()
    for _ in range(5):
        client.post(reverse("profil:activation"), _formulaire(espace, code, code="ZZZZ"))
    reponse = client.post(reverse("profil:activation"), _formulaire(espace, code))
    assert "bloqué" in reponse.content.decode()
    assert CodeActivation.objects.get(espace=espace).verrouille_le is not None
    assert (
        Evenement.objects.filter(
            espace_uuid=espace.uuid, action=Action.ACTIVATION_VERROUILLEE
        ).count()
        == 1
    )


def test_activation_is_rate_limited_per_address(a_activer, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ACTIVATION_RATE_LIMIT = "3/h"
    cache.clear()
    espace, code = a_activer
    client = Client()
    statuts = [
        client.post(reverse("profil:activation"), _formulaire(espace, code, code="Z")).status_code
        for _ in range(4)
    ]
    assert statuts == [200, 200, 200, 429]
    cache.clear()


def test_a_logged_in_person_cannot_use_the_activation_page(client_titulaire: Client) -> None:
    assert client_titulaire.get(reverse("profil:activation"))["Location"] == reverse("accueil")
