from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from espace_sante.journal.models import Action, Evenement, TypeActeur
from espace_sante.journal.services import Acteur
from profil import services
from profil.models import Espace, Statut

from ..conftest import client_pour
from ..factories import EspaceFactory, UtilisateurFactory, nir

pytestmark = pytest.mark.django_db

LISTE = "admin:profil_espace_changelist"


def _cree(rang: int = 1) -> Espace:
    espace, _code = services.espace_precreer(
        acteur=Acteur.systeme(),
        identite=services.Identite(
            ins=nir("F", date(1960, 6, 6), rang),
            nom_naissance="ROUSSEAU",
            prenoms="Louise",
            date_naissance=date(1960, 6, 6),
            sexe="F",
        ),
    )
    return espace


def _action(client: Client, action: str, espaces: list[Espace], **extra: str) -> str:
    donnees = {"action": action, "_selected_action": [str(e.pk) for e in espaces], **extra}
    return client.post(reverse(LISTE), donnees, follow=True).content.decode()


def test_the_admin_requires_a_staff_account_with_a_second_factor(titulaire: Espace) -> None:
    anonyme = Client().get(reverse(LISTE))
    assert anonyme.status_code == 302 and anonyme["Location"].startswith("/admin/login/")
    assert client_pour(titulaire.titulaire).get(reverse(LISTE)).status_code == 302
    sans_totp = UtilisateurFactory(is_staff=True, is_superuser=True, totp=False)
    reponse = client_pour(sans_totp).get(reverse(LISTE))
    assert reponse.status_code == 302 and reponse["Location"] == reverse("mfa_activate_totp")


def test_the_admin_login_page_is_allauth_s(client_operateur: Client) -> None:
    reponse = Client().get(reverse("admin:login"))
    assert reponse.status_code == 302
    assert reponse["Location"].startswith(reverse("account_login"))


def test_operators_search_by_ins_or_name_and_filter_by_status(
    client_operateur: Client, titulaire: Espace, autre_titulaire: Espace
) -> None:
    par_ins = client_operateur.get(reverse(LISTE), {"q": titulaire.ins}).content.decode()
    assert "MARTIN" in par_ins and "DURAND" not in par_ins
    par_nom = client_operateur.get(reverse(LISTE), {"q": "durand"}).content.decode()
    assert "DURAND" in par_nom and "MARTIN" not in par_nom
    _cree()
    filtre = client_operateur.get(reverse(LISTE), {"statut__exact": "cree"}).content.decode()
    assert "ROUSSEAU" in filtre and "DURAND" not in filtre


def test_the_list_masks_the_ins_and_shows_no_health_content(
    client_operateur: Client, titulaire: Espace
) -> None:
    contenu = client_operateur.get(reverse(LISTE)).content.decode()
    assert titulaire.ins not in contenu
    detail = client_operateur.get(reverse("admin:profil_espace_change", args=[titulaire.pk]))
    assert detail.status_code == 200
    assert 'name="nom_naissance"' not in detail.content.decode()  # read-only


def test_an_opposition_asks_for_confirmation_then_is_journaled(client_operateur: Client) -> None:
    espace = _cree()
    confirmation = _action(client_operateur, "action_opposer", [espace])
    assert "confirmation" in confirmation and "ROUSSEAU Louise" in confirmation
    assert Espace.objects.get(pk=espace.pk).statut == Statut.CREE
    _action(client_operateur, "action_opposer", [espace], confirmer="1")
    assert Espace.objects.get(pk=espace.pk).statut == Statut.OPPOSE
    evenement = Evenement.objects.get(espace_uuid=espace.uuid, action=Action.OPPOSITION)
    assert evenement.acteur_type == TypeActeur.OPERATEUR and evenement.acteur_nom


def test_bulk_closure_reports_refusals_per_space(client_operateur: Client) -> None:
    actifs = [EspaceFactory(), EspaceFactory()]
    cree = _cree()
    resultat = _action(client_operateur, "action_cloturer", [*actifs, cree], confirmer="1")
    assert "2 espaces traités" in resultat
    assert "Refusé — ROUSSEAU Louise" in resultat
    assert [e.statut for e in Espace.objects.filter(pk__in=[a.pk for a in actifs])] == [
        Statut.CLOTURE
    ] * 2
    assert Espace.objects.get(pk=cree.pk).statut == Statut.CREE


def test_suspension_and_death_need_their_details(client_operateur: Client) -> None:
    espace = EspaceFactory()
    sans_motif = _action(client_operateur, "action_suspendre", [espace], confirmer="1")
    assert "Ce champ est obligatoire" in sans_motif
    assert Espace.objects.get(pk=espace.pk).statut == Statut.ACTIF
    _action(client_operateur, "action_suspendre", [espace], confirmer="1", motif="Usurpation")
    assert Espace.objects.get(pk=espace.pk).statut == Statut.SUSPENDU
    _action(client_operateur, "action_lever_suspension", [espace], confirmer="1")
    _action(client_operateur, "action_deces", [espace], confirmer="1", date_deces="2026-01-02")
    espace.refresh_from_db()
    assert espace.statut == Statut.DECEDE and espace.deces_le == date(2026, 1, 2)


def test_a_new_code_is_shown_once_and_works(client_operateur: Client) -> None:
    espace = _cree()
    page = _action(client_operateur, "action_nouveau_code", [espace], confirmer="1")
    code = re.search(r'<code class="code-activation">([A-Z0-9-]+)</code>', page)
    assert code is not None
    services.espace_activation_verifier(
        ins=espace.ins, date_naissance=espace.date_naissance, code=code.group(1)
    )


def test_pre_creating_one_space(client_operateur: Client) -> None:
    ins = nir("M", date(1988, 8, 8), 5)
    donnees = {
        "ins": ins,
        "ins_oid": "1.2.250.1.213.1.4.10",
        "nom_naissance": "Petit",
        "prenoms": "Paul",
        "date_naissance": "1988-08-08",
        "sexe": "M",
    }
    mauvais = client_operateur.post(reverse("admin:profil_espace_add"), {**donnees, "sexe": "F"})
    assert "premier chiffre" in mauvais.content.decode()
    assert not Espace.objects.exists()
    bon = client_operateur.post(reverse("admin:profil_espace_add"), donnees)
    assert "code-activation" in bon.content.decode()
    espace = Espace.objects.get(ins=ins)
    assert Evenement.objects.filter(espace_uuid=espace.uuid, acteur_type="operateur").exists()


CSV = """ins;nom_naissance;prenoms;date_naissance;sexe;ins_representant
{ok};Garnier;Hugo;1979-03-15;M;
{mauvaise_cle};Roux;Lina;1981-04-02;F;
{ok2};Faure;Nina;02/04/1981;F;
;Sans;INS;1981-04-02;F;
{ok3};Blanc;Marc;le 3 mars;M;
{ok};Garnier;Hugo;1979-03-15;M;
{enfant};Garnier;Tom;2019-05-05;M;{ok}
"""


def test_csv_import_validates_row_by_row_and_reports_rejections(client_operateur: Client) -> None:
    ok = nir("M", date(1979, 3, 15), 11)
    ok2 = nir("F", date(1981, 4, 2), 12)
    mauvaise_cle = ok2[:13] + f"{(int(ok2[13:]) % 97) + 1:02d}"
    contenu = CSV.format(
        ok=ok,
        ok2=ok2,
        mauvaise_cle=mauvaise_cle,
        ok3=nir("M", date(1979, 3, 3), 13),
        enfant=nir("M", date(2019, 5, 5), 14),
    )
    fichier = SimpleUploadedFile("assures.csv", contenu.encode(), content_type="text/csv")
    page = client_operateur.post(
        reverse("admin:profil_espace_importer"), {"fichier": fichier}
    ).content.decode()
    assert "3 espaces créés, 4 lignes rejetées" in page
    tableau = page.split('id="rejets"')[1].split('id="crees"')[0]
    rejets = dict(re.findall(r"<tr><td>(\d+)</td><td>(.*?)</td></tr>", tableau))
    assert set(rejets) == {"3", "5", "6", "7"}
    assert "clé" in rejets["3"] and "15 caractères" in rejets["5"]
    assert "date de naissance illisible" in rejets["6"] and "existe déjà" in rejets["7"]
    enfant = Espace.objects.get(nom_naissance="GARNIER", prenoms="Tom")
    assert enfant.representants.get().representant.ins == ok
    assert Evenement.objects.filter(action=Action.IMPORT_ASSURES).count() == 1


@pytest.mark.parametrize(
    ("contenu", "message"),
    [
        (b"\xff\xfe\x00binaire", "UTF-8"),
        (b"nom;prenom\nA;B\n", "Colonnes manquantes"),
        (b"x" * (5 * 1024 * 1024 + 1), "5 Mo"),
    ],
)
def test_a_bad_csv_file_is_refused_whole(
    client_operateur: Client, contenu: bytes, message: str
) -> None:
    fichier = SimpleUploadedFile("assures.csv", contenu, content_type="text/csv")
    page = client_operateur.post(reverse("admin:profil_espace_importer"), {"fichier": fichier})
    assert message in page.content.decode()
    assert not Espace.objects.exists()


def test_operators_without_the_add_permission_cannot_act(titulaire: Espace) -> None:
    from django.contrib.auth.models import Permission

    lecteur = UtilisateurFactory(is_staff=True)
    lecteur.user_permissions.add(Permission.objects.get(codename="view_espace"))
    client = client_pour(lecteur)
    assert client.get(reverse(LISTE)).status_code == 200
    _action(client, "action_cloturer", [titulaire], confirmer="1")
    assert Espace.objects.get(pk=titulaire.pk).statut == Statut.ACTIF
    assert client.get(reverse("admin:profil_espace_importer")).status_code == 302


def test_the_journal_is_read_only_in_the_admin(client_operateur: Client, titulaire: Espace) -> None:
    from espace_sante.journal.services import evenement_enregistrer

    evenement = evenement_enregistrer(
        action=Action.CONNEXION, acteur=Acteur.systeme(), espace_uuid=titulaire.uuid
    )
    liste = client_operateur.get(reverse("admin:journal_evenement_changelist"))
    assert liste.status_code == 200 and "Connexion" in liste.content.decode()
    client_operateur.post(
        reverse("admin:journal_evenement_change", args=[evenement.pk]), {"acteur_nom": "x"}
    )
    assert Evenement.objects.get(pk=evenement.pk).acteur_nom == evenement.acteur_nom
    assert client_operateur.get(reverse("admin:journal_evenement_add")).status_code == 403
