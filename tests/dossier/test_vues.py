from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from dossier.models import Document, Statut
from espace_sante.journal.models import Action, Evenement
from profil.models import Espace

from ..conftest import client_pour
from ..factories import EspaceFactory, RepresentationFactory, document

pytestmark = pytest.mark.django_db

PAGES_ESPACE = ["dossier:documents", "dossier:chronologie", "dossier:deposer", "dossier:corbeille"]
PAGES_DOCUMENT = ["dossier:document", "dossier:contenu", "dossier:statut"]


def _url(page: str, espace: Espace, doc: Document | None = None) -> str:
    return reverse(page, args=[espace.uuid] if doc is None else [espace.uuid, doc.uuid])


@pytest.mark.parametrize("page", PAGES_ESPACE + PAGES_DOCUMENT)
def test_every_page_answers_each_persona(
    page: str, titulaire: Espace, client_titulaire: Client, client_autre: Client
) -> None:
    doc = document(titulaire) if page in PAGES_DOCUMENT else None
    url = _url(page, titulaire, doc)
    assert Client().get(url).status_code == 302
    assert client_titulaire.get(url).status_code == 200
    assert client_autre.get(url).status_code == 404


@pytest.mark.parametrize("page", PAGES_DOCUMENT)
def test_someone_elses_document_id_in_my_space_url_is_404(
    page: str, titulaire: Espace, client_titulaire: Client
) -> None:
    autre = document(EspaceFactory())
    assert client_titulaire.get(_url(page, titulaire, autre)).status_code == 404
    inconnu = reverse(page, args=[titulaire.uuid, uuid.uuid4()])
    assert client_titulaire.get(inconnu).status_code == 404


def test_documents_are_grouped_by_category_with_counts(
    titulaire: Espace, client_titulaire: Client
) -> None:
    document(titulaire, type_code="11502-2", titre="TSH")
    document(titulaire, type_code="18748-4", titre="Radio du thorax")
    document(titulaire, type_code="18748-4", titre="IRM du genou")
    page = client_titulaire.get(
        reverse("dossier:documents", args=[titulaire.uuid])
    ).content.decode()
    assert "Biologie (1)" in page and "Imagerie (2)" in page and "Vaccination (0)" in page
    imagerie = client_titulaire.get(
        reverse("dossier:documents", args=[titulaire.uuid]), {"categorie": "imagerie"}
    ).content.decode()
    assert "IRM du genou" in imagerie and "TSH" not in imagerie


def test_search_filters_and_sorting(titulaire: Espace, client_titulaire: Client) -> None:
    document(titulaire, titre="Ordonnance lunettes", auteur_nom="Dr Alice MARTIN")
    document(titulaire, titre="Bilan thyroïdien", auteur_nom="Laboratoire Pasteur")
    url = reverse("dossier:documents", args=[titulaire.uuid])
    assert "Bilan thyroïdien" not in client_titulaire.get(url, {"q": "lunettes"}).content.decode()
    par_auteur = client_titulaire.get(url, {"q": "pasteur"}).content.decode()
    assert "Bilan thyroïdien" in par_auteur and "lunettes" not in par_auteur
    erreur = client_titulaire.get(url, {"du": "2026-05-01", "au": "2026-01-01"}).content.decode()
    assert "La date de fin précède" in erreur


def test_the_list_uses_a_constant_number_of_queries(
    titulaire: Espace, client_titulaire: Client, django_assert_max_num_queries
) -> None:
    url = reverse("dossier:documents", args=[titulaire.uuid])
    document(titulaire)
    client_titulaire.get(url)
    # 9: the notices of refused files are one query of their own.
    with django_assert_max_num_queries(9) as peu:
        client_titulaire.get(url)
    for i in range(40):
        document(titulaire, titre=f"Document {i}", dossier_utilisateur=f"Dossier {i % 3}")
    with django_assert_max_num_queries(9) as apres_ecriture:
        client_titulaire.get(url)  # the summary is counted again: the documents changed
    with django_assert_max_num_queries(9) as beaucoup:
        client_titulaire.get(url)
    with django_assert_max_num_queries(9) as derniere:
        client_titulaire.get(url, {"page": 2, "tri": "date_acte"})
    assert len(peu.captured_queries) == len(beaucoup.captured_queries)
    assert len(derniere.captured_queries) == len(beaucoup.captured_queries)
    assert len(apres_ecriture.captured_queries) == len(beaucoup.captured_queries) + 1


def test_the_space_switcher_is_read_with_the_space(
    representant: Espace,
    enfant_represente: Espace,
    client_titulaire: Client,
    django_assert_max_num_queries,
) -> None:
    """The spaces one may switch to come with the access check: no query of their own."""
    url = reverse("dossier:documents", args=[representant.uuid])
    client_titulaire.get(url)
    with django_assert_max_num_queries(8):
        page = client_titulaire.get(url).content.decode()
    assert 'id="bascule-espace"' in page
    assert f'value="{enfant_represente.uuid}"' in page and "représentation légale" in page
    assert f'<option value="{representant.uuid}" selected>' in page
    enfant = client_titulaire.get(reverse("dossier:documents", args=[enfant_represente.uuid]))
    assert f'<option value="{enfant_represente.uuid}" selected>' in enfant.content.decode()


def test_the_space_menu_marks_the_current_section(
    titulaire: Espace, client_titulaire: Client
) -> None:
    page = client_titulaire.get(reverse("dossier:chronologie", args=[titulaire.uuid]))
    menu = page.content.decode().split('id="navigation-espace"')[1].split("</nav>")[0]
    documents = reverse("dossier:documents", args=[titulaire.uuid])
    assert f'href="{documents}" aria-current="page">Documents</a>' in menu
    assert menu.count('aria-current="page"') == 1
    accueil = reverse("ensemble:espace", args=[titulaire.uuid])
    assert f'href="{accueil}" >Accueil</a>' in menu


def test_the_list_is_sorted_as_asked(titulaire: Espace, client_titulaire: Client) -> None:
    document(titulaire, titre="Zona", date_acte=date(2024, 5, 1))
    document(titulaire, titre="Angine", date_acte=date(2026, 1, 10))
    document(titulaire, titre="Mononucléose", date_acte=date(2025, 7, 3))
    url = reverse("dossier:documents", args=[titulaire.uuid])

    def ordre(**parametres: str) -> list[str]:
        page = client_titulaire.get(url, parametres).content.decode()
        return re.findall(r'document-ligne__titre" href="[^"]+">([^<]+)<', page)

    assert ordre() == ["Angine", "Mononucléose", "Zona"]
    assert ordre(tri="date_acte") == ["Zona", "Mononucléose", "Angine"]
    assert ordre(tri="titre") == ["Angine", "Mononucléose", "Zona"]
    assert ordre(tri="date_acte", categorie="biologie") == ["Zona", "Mononucléose", "Angine"]


def test_archived_documents_are_not_counted_and_folders_are_listed_once(
    titulaire: Espace, client_titulaire: Client
) -> None:
    document(titulaire, type_code="18748-4", dossier_utilisateur="Genou")
    document(titulaire, type_code="18748-4", dossier_utilisateur="Genou")
    document(titulaire, type_code="18748-4", dossier_utilisateur="Dos", statut=Statut.ARCHIVE)
    document(titulaire, type_code="11502-2", dossier_utilisateur="Bilans")
    page = client_titulaire.get(reverse("dossier:documents", args=[titulaire.uuid]))
    contenu = page.content.decode()
    assert "Imagerie (2)" in contenu and "Biologie (1)" in contenu
    dossiers = re.findall(r'href="\?dossier=([^"]+)"', contenu)
    assert dossiers == ["Bilans", "Dos", "Genou"]


def test_the_detail_page_uses_a_constant_number_of_queries(
    titulaire: Espace, client_titulaire: Client, django_assert_max_num_queries
) -> None:
    premier = document(titulaire)
    client_titulaire.get(_url("dossier:document", titulaire, premier))
    for _ in range(30):
        document(titulaire)
    with django_assert_max_num_queries(25) as requetes:
        client_titulaire.get(_url("dossier:document", titulaire, premier))
    avant = len(requetes.captured_queries)
    with django_assert_max_num_queries(25) as requetes:
        client_titulaire.get(_url("dossier:document", titulaire, premier))
    assert len(requetes.captured_queries) == avant


def test_reading_and_downloading_are_journaled(titulaire: Espace, client_titulaire: Client) -> None:
    doc = document(titulaire, contenu=b"%PDF-1.4 contenu")
    client_titulaire.get(_url("dossier:document", titulaire, doc))
    reponse = client_titulaire.get(_url("dossier:contenu", titulaire, doc))
    assert b"".join(reponse.streaming_content) == b"%PDF-1.4 contenu"
    actions = set(Evenement.objects.filter(objet_id=str(doc.uuid)).values_list("action", flat=True))
    assert {Action.DOCUMENT_CONSULTE, Action.DOCUMENT_TELECHARGE} <= actions


def test_hidden_from_patient_and_minor_secrets(titulaire: Espace, client_titulaire: Client) -> None:
    cache = document(titulaire, invisible_patient=True)
    assert client_titulaire.get(_url("dossier:document", titulaire, cache)).status_code == 404
    enfant = RepresentationFactory(representant=titulaire).espace
    secret = document(enfant, invisible_representants=True)
    visible = document(enfant)
    assert client_titulaire.get(_url("dossier:document", enfant, secret)).status_code == 404
    assert client_titulaire.get(_url("dossier:document", enfant, visible)).status_code == 200


def test_hide_show_delete_and_undo(titulaire: Espace, client_titulaire: Client) -> None:
    doc = document(titulaire)
    action = lambda a: reverse("dossier:action", args=[titulaire.uuid, doc.uuid, a])  # noqa: E731
    client_titulaire.post(action("masquer"))
    doc.refresh_from_db()
    assert doc.masque_ps
    client_titulaire.post(action("afficher"))
    doc.refresh_from_db()
    assert not doc.masque_ps
    client_titulaire.post(action("supprimer"))
    doc.refresh_from_db()
    assert doc.supprime_le is not None
    assert client_titulaire.get(_url("dossier:document", titulaire, doc)).status_code == 404
    corbeille = client_titulaire.get(reverse("dossier:corbeille", args=[titulaire.uuid]))
    assert doc.titre in corbeille.content.decode()
    client_titulaire.post(action("restaurer"))
    doc.refresh_from_db()
    assert doc.supprime_le is None
    assert client_titulaire.get(action("masquer")).status_code == 405
    actions = list(
        Evenement.objects.filter(objet_id=str(doc.uuid)).values_list("action", flat=True)
    )
    for attendue in (
        Action.DOCUMENT_MASQUE,
        Action.DOCUMENT_AFFICHE,
        Action.DOCUMENT_SUPPRIME,
        Action.DOCUMENT_RESTAURE,
    ):
        assert attendue in actions


def test_selection_actions_refuse_foreign_ids(titulaire: Espace, client_titulaire: Client) -> None:
    a, b = document(titulaire), document(titulaire)
    etranger = document(EspaceFactory())
    url = reverse("dossier:selection", args=[titulaire.uuid])
    refus = client_titulaire.post(url, {"documents": [a.uuid, etranger.uuid], "action": "masquer"})
    assert refus.status_code == 404
    assert not Document.objects.filter(masque_ps=True).exists()
    client_titulaire.post(url, {"documents": [a.uuid, b.uuid], "action": "masquer"})
    assert Document.objects.filter(masque_ps=True).count() == 2


def test_hide_everything_and_default_visibility(
    titulaire: Espace, client_titulaire: Client
) -> None:
    url = reverse("dossier:reglages", args=[titulaire.uuid])
    client_titulaire.post(url, {"tout_masque": "on", "masquer_nouveaux": "on"})
    reglages = titulaire.reglages_dossier
    assert reglages.tout_masque and reglages.masquer_nouveaux
    page = client_titulaire.get(reverse("dossier:documents", args=[titulaire.uuid]))
    assert "Tous vos documents sont masqués" in page.content.decode()
    assert Evenement.objects.filter(action=Action.DOSSIER_TOUT_MASQUE).exists()


def test_the_visibility_choices_are_shown_as_saved(
    titulaire: Espace, enfant_represente: Espace, client_titulaire: Client
) -> None:
    """The choices are read with the space (one statement): absent, they are the defaults."""
    for espace in (titulaire, enfant_represente):
        url = reverse("dossier:documents", args=[espace.uuid])
        avant = client_titulaire.get(url).content.decode()
        assert 'id="tout_masque" name="tout_masque" >' in avant
        assert 'id="masquer_nouveaux" name="masquer_nouveaux" >' in avant
        reglages = reverse("dossier:reglages", args=[espace.uuid])
        client_titulaire.post(reglages, {"masquer_nouveaux": "on"})
        apres = client_titulaire.get(url).content.decode()
        assert 'id="tout_masque" name="tout_masque" >' in apres
        assert 'id="masquer_nouveaux" name="masquer_nouveaux" checked>' in apres
        assert "Tous vos documents sont masqués" not in apres


def test_a_representative_sees_the_minor_documents_with_the_banner(titulaire: Espace) -> None:
    enfant = RepresentationFactory(representant=titulaire).espace
    document(enfant, titre="Carnet de vaccination", type_code="11369-6")
    page = client_pour(titulaire.titulaire).get(reverse("dossier:documents", args=[enfant.uuid]))
    assert "Carnet de vaccination" in page.content.decode()
    assert "représentant légal" in page.content.decode()


def test_documents_can_be_browsed_by_the_persons_folders(
    titulaire: Espace, client_titulaire: Client
) -> None:
    document(titulaire, titre="Échographie", dossier_utilisateur="Grossesse 2026")
    document(titulaire, titre="Radio du poignet")
    url = reverse("dossier:documents", args=[titulaire.uuid])
    page = client_titulaire.get(url).content.decode()
    assert "Mes dossiers" in page and "?dossier=Grossesse%202026" in page
    dans = client_titulaire.get(url, {"dossier": "Grossesse 2026"}).content.decode()
    assert "Échographie" in dans and "Radio du poignet" not in dans
    assert "dossier Grossesse 2026" in dans


def test_markup_in_titles_and_authors_is_shown_as_text(
    titulaire: Espace, client_titulaire: Client
) -> None:
    doc = document(
        titulaire, titre="<script>alert(1)</script>", auteur_nom='<img src=x onerror="alert(2)">'
    )
    for url in (
        reverse("dossier:documents", args=[titulaire.uuid]),
        reverse("dossier:chronologie", args=[titulaire.uuid]),
        _url("dossier:document", titulaire, doc),
    ):
        page = client_titulaire.get(url).content.decode()
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)" in page
        assert "<img src=x" not in page
