"""The main journeys, in a real browser: activation, closure, an operator's opposition."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from espace_sante.comptes.models import Utilisateur
from espace_sante.journal.services import Acteur
from profil import services
from profil.models import Espace, Statut
from tests.factories import MOT_DE_PASSE, SECRET_TOTP, EspaceFactory, nir

from .conftest import code_totp, verifier_accessibilite

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RUBRIQUES = ["Documents", "Profil médical", "Professionnels", "Historique d’activité", "Paramètres"]


def _precreer(
    *, prenoms: str, nom: str, sexe: str, naissance: date, rang: int
) -> tuple[Espace, str]:
    return services.espace_precreer(
        acteur=Acteur.systeme(),
        identite=services.Identite(
            ins=nir(sexe, naissance, rang),
            nom_naissance=nom,
            prenoms=prenoms,
            date_naissance=naissance,
            sexe=sexe,
        ),
    )


def _se_connecter(page: Page, *, email: str, suivant: str = "/") -> None:
    """Log in through allauth (e-mail + password, then the TOTP code), checking each page."""
    page.goto(suivant)
    expect(page).to_have_url(re.compile(r"/comptes/login/"))
    verifier_accessibilite(page)
    page.get_by_label("Courriel").fill(email)
    page.get_by_label(re.compile(r"^\s*Mot de passe")).fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter", exact=True).click()

    expect(page).to_have_url(re.compile(r"/comptes/2fa/authenticate/"))
    verifier_accessibilite(page)
    page.get_by_label("Code", exact=True).fill(code_totp(SECRET_TOTP))
    page.get_by_role("button", name="Connexion").click()
    expect(page).not_to_have_url(re.compile(r"/comptes/"))


def test_the_pages_markup_is_accessible_before_any_script_runs(page_sans_scripts: Page) -> None:
    """axe on the markup as served: the DSFR script changes some attributes when it starts (the
    header's menu lost an ``aria-labelledby`` that axe refuses on a div without a role, so a
    page checked before the script had run failed at random on a loaded machine)."""
    page_sans_scripts.goto("/comptes/login/")
    verifier_accessibilite(page_sans_scripts)
    page_sans_scripts.goto("/activation/")
    verifier_accessibilite(page_sans_scripts)


def test_a_person_activates_their_space_and_sets_up_a_second_factor(page: Page) -> None:
    naissance = date(1985, 3, 9)
    espace, code = _precreer(
        prenoms="Juliette Marie", nom="LEGRAND", sexe="F", naissance=naissance, rang=4242
    )

    page.goto("/activation/")
    verifier_accessibilite(page)
    page.get_by_label("Numéro INS").fill(espace.ins)
    page.get_by_label("Date de naissance").fill(naissance.isoformat())
    page.get_by_label("Code d'activation").fill(code)
    page.get_by_role("button", name="Activer mon espace", exact=True).click()

    expect(page).to_have_url(re.compile(r"/activation/identifiants/$"))
    verifier_accessibilite(page)
    page.get_by_label("Adresse e-mail").fill("juliette.legrand@exemple.test")
    page.get_by_label(re.compile(r"^\s*Mot de passe")).fill("trois-tulipes-sous-la-neige")
    page.get_by_label("Confirmation du mot de passe").fill("trois-tulipes-sous-la-neige")
    page.get_by_role("button", name="Activer mon espace santé").click()

    # The password was just chosen: the second-factor set-up does not ask for it again.
    expect(page).to_have_url(re.compile(r"/comptes/2fa/totp/activate/$"))
    verifier_accessibilite(page)
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Code de l'authentificateur").fill(code_totp(secret))
    page.get_by_role("button", name="Activer", exact=True).click()

    expect(page).to_have_url(re.compile(r"/comptes/2fa/recovery-codes/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Codes de récupération")
    verifier_accessibilite(page)

    page.goto("/")
    expect(page).to_have_url(re.compile(rf"/espace/{espace.uuid}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Bonjour, voici l’espace santé de Juliette"
    )
    menu = page.get_by_role("navigation", name="Menu de l’espace")
    for rubrique in RUBRIQUES:
        expect(menu.get_by_role("link", name=rubrique, exact=True)).to_be_visible()
    verifier_accessibilite(page)

    espace.refresh_from_db()
    assert espace.statut == Statut.ACTIF
    assert espace.titulaire == Utilisateur.objects.get(email="juliette.legrand@exemple.test")


def _ouvrir_la_cloture(page: Page, espace: Espace) -> None:
    _se_connecter(page, email=espace.titulaire.email)
    expect(page).to_have_url(re.compile(rf"/espace/{espace.uuid}/$"))
    verifier_accessibilite(page)
    menu = page.get_by_role("navigation", name="Menu de l’espace")
    menu.get_by_role("link", name="Paramètres", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/espace/{espace.uuid}/parametres/$"))
    verifier_accessibilite(page)
    page.get_by_role("link", name="Clôturer mon espace santé").click()
    expect(page).to_have_url(re.compile(rf"/espace/{espace.uuid}/cloturer/$"))
    verifier_accessibilite(page)


def _cocher(page: Page, libelle: str) -> None:
    """Tick a DSFR checkbox the way a person does: its label covers the (restyled) box."""
    page.locator("label", has_text=libelle).click()
    expect(page.get_by_label(libelle)).to_be_checked()


def test_a_holder_closes_their_space_after_confirming_with_their_password(page: Page) -> None:
    espace = EspaceFactory(prenoms="Bastien", sexe="M")
    _ouvrir_la_cloture(page, espace)

    page.get_by_label("Votre mot de passe").fill(MOT_DE_PASSE)
    _cocher(page, "Je confirme vouloir clôturer mon espace santé")
    page.get_by_role("button", name="Clôturer définitivement mon espace").click()

    expect(page).to_have_url(re.compile(rf"/espace/{espace.uuid}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre espace santé est clôturé")
    expect(page.get_by_role("button", name="Rouvrir mon espace santé")).to_be_visible()
    verifier_accessibilite(page)
    espace.refresh_from_db()
    assert espace.statut == Statut.CLOTURE


def test_a_wrong_password_leaves_the_space_open_and_says_so(page: Page) -> None:
    espace = EspaceFactory(prenoms="Chloé")
    _ouvrir_la_cloture(page, espace)

    page.get_by_label("Votre mot de passe").fill("pas-le-bon-mot-de-passe")
    _cocher(page, "Je confirme vouloir clôturer mon espace santé")
    page.get_by_role("button", name="Clôturer définitivement mon espace").click()

    expect(
        page.get_by_text("Mot de passe incorrect : l'espace n'a pas été clôturé.")
    ).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/espace/{espace.uuid}/cloturer/$"))
    verifier_accessibilite(page)
    espace.refresh_from_db()
    assert espace.statut == Statut.ACTIF


def test_an_operator_records_an_opposition_from_the_admin(
    page: Page, operateur: Utilisateur
) -> None:
    naissance = date(1972, 11, 30)
    espace, _code = _precreer(
        prenoms="Gérard", nom="OPPOSANT", sexe="M", naissance=naissance, rang=777
    )
    autre, _code = _precreer(
        prenoms="Hélène", nom="VOISINE", sexe="F", naissance=naissance, rang=778
    )

    _se_connecter(page, email=operateur.email, suivant="/admin/")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    verifier_accessibilite(page)

    page.goto("/admin/profil/espace/")
    verifier_accessibilite(page)
    ligne = page.get_by_role("row").filter(has_text="OPPOSANT Gérard")
    ligne.get_by_role("checkbox").check()
    page.get_by_role("combobox", name=re.compile(r"^\s*Action")).select_option(
        label="Enregistrer une opposition"
    )
    page.get_by_role("button", name="Envoyer").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("confirmation")
    expect(page.get_by_role("listitem").filter(has_text="OPPOSANT Gérard")).to_be_visible()
    verifier_accessibilite(page)
    page.get_by_role("button", name="Confirmer").click()

    expect(page).to_have_url(re.compile(r"/admin/profil/espace/$"))
    expect(page.get_by_text("1 espace traité")).to_be_visible()
    verifier_accessibilite(page)
    espace.refresh_from_db()
    autre.refresh_from_db()
    assert espace.statut == Statut.OPPOSE
    assert autre.statut == Statut.CREE
