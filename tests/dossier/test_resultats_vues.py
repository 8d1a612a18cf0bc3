"""The Résultats pages (dossier/resultats/, professionnels/views_resultats.py): each analysis'
latest value and flag, one analysis' trend (units converted where UCUM allows, a mark where
the unit or the method changed, points linking to their documents, the values as a table),
read through the documents the reader may see, journaled, in a fixed number of queries."""

from __future__ import annotations

import json
import re
import uuid
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from dossier.models import Document, Resultat, empreinte_analyse
from dossier.resultats.presentation import Liens, tendance
from dossier.resultats.selectors import lu
from espace_sante.journal.models import Action, Evenement
from professionnels.models import AccesProfessionnel
from profil.models import Espace

from ..conftest import client_pour
from ..factories import ProfessionnelFactory, document
from .resultats_cda import Obs, cr_bio, resultat

pytestmark = pytest.mark.django_db

TSH, GLUCOSE = "3016-3", "2345-7"


def _liste(client: Client, espace: Espace) -> str:
    reponse = client.get(reverse("dossier:resultats:liste", args=[espace.uuid]))
    assert reponse.status_code == 200
    return " ".join(reponse.content.decode().split())


def _analyse(espace: Espace, code: str) -> str:
    return reverse(
        "dossier:resultats:analyse", args=[espace.uuid, empreinte_analyse(espace.pk, code)]
    )


def test_the_list_shows_each_analysis_latest_value_and_its_flag(
    titulaire: Espace, client_titulaire: Client
) -> None:
    ancien = document(titulaire, titre="Bilan 2023", date_acte=date(2023, 1, 10))
    recent = document(titulaire, titre="Bilan 2024", date_acte=date(2024, 1, 10))
    resultat(ancien, valeur="5.10", le=date(2023, 1, 10), interpretation="H")
    resultat(recent, valeur="1.950", le=date(2024, 1, 10), interpretation="N")
    resultat(recent, code=GLUCOSE, libelle="Glucose", valeur="1.27", unite="g/L", rang=2,
             bas="0.7", haut="1.1")  # fmt: skip
    page = _liste(client_titulaire, titulaire)
    assert "2 analyses · <strong>1 hors normes au dernier résultat</strong>" in page
    ligne_tsh = re.search(r'<tr class="resultat">.*?TSH.*?</tr>', page)
    assert ligne_tsh and "1,950 mUI/L" in ligne_tsh.group() and "10/01/2024" in ligne_tsh.group()
    assert "5,10" not in page  # the older value is on the trend page only
    ligne_glucose = re.search(r'<tr class="resultat resultat--hors-normes">.*?</tr>', page)
    assert ligne_glucose and "Glucose" in ligne_glucose.group()
    assert "Hors normes : au-dessus de la référence" in ligne_glucose.group()
    assert _analyse(titulaire, TSH) in page
    assert reverse("dossier:document", args=[titulaire.uuid, recent.uuid]) in page
    assert Evenement.objects.filter(
        action=Action.RESULTATS_CONSULTES, objet_type="resultats", objet_id=""
    ).exists()


def test_the_trend_converts_units_of_one_quantity_and_marks_the_change(
    titulaire: Espace, client_titulaire: Client
) -> None:
    docs = [document(titulaire, titre=f"Bilan {n}") for n in range(4)]
    resultat(docs[0], code=GLUCOSE, libelle="Glucose", valeur="95", unite="mg/dL",
             le=date(2023, 1, 1), bas="70", haut="110")  # fmt: skip
    resultat(docs[1], code=GLUCOSE, libelle="Glucose", valeur="1.02", unite="g/L",
             le=date(2023, 6, 1), bas="0.7", haut="1.1", methode="Hexokinase")  # fmt: skip
    resultat(docs[2], code=GLUCOSE, libelle="Glucose", valeur="5.9", unite="mmol/L",
             le=date(2023, 9, 1))  # fmt: skip
    resultat(docs[3], code=GLUCOSE, libelle="Glucose", valeur="1.15", unite="g/L",
             le=date(2024, 1, 1), bas="0.7", haut="1.1", methode="Hexokinase",
             interpretation="H")  # fmt: skip
    reponse = client_titulaire.get(_analyse(titulaire, GLUCOSE))
    assert reponse.status_code == 200
    page = " ".join(reponse.content.decode().split())
    # Two charts: g/L (with the mg/dL value converted), and mmol/L apart.
    assert page.count('class="fr-mb-3w fr-mx-0 courbe courbe-resultats"') == 2
    assert "Glucose (g/L)" in page and "Glucose (mmol/L)" in page
    assert "= 0,95 g/L" in page  # 95 mg/dL
    assert "tracées à part" in page
    assert "unité : mg/dL → g/L ; méthode : — → Hexokinase" in page
    assert page.count('class="graphique__marque"') == 1
    for doc in docs:  # each point, and each row of the table, links to its document
        assert page.count(reverse("dossier:document", args=[titulaire.uuid, doc.uuid])) == 2
    assert 'class="graphique__bande graphique__bande--haute"' in page
    assert Evenement.objects.filter(
        action=Action.RESULTATS_CONSULTES,
        objet_id=empreinte_analyse(titulaire.pk, GLUCOSE),
    ).exists()


def test_the_trend_s_chart_and_table_say_the_same_values() -> None:
    """Without the database: values in µmol/L and mmol/L on one chart, in the latest's unit."""
    docs = [Document(uuid=uuid.UUID(int=n + 1)) for n in range(3)]
    lignes = [
        lu(
            Resultat(
                analyse="a" * 64,
                code="14682-9",
                date_observation=date(2024, 1, 1) + timedelta(days=30 * n),
                contenu=json.dumps(
                    {"libelle": "Créatinine", "genre": "nombre", "valeur": valeur, "unite": unite}
                ),
                document=docs[n],
            )
        )
        for n, (valeur, unite) in enumerate(
            [("100", "umol/L"), ("0.12", "mmol/L"), ("90", "umol/L")]
        )
    ]
    liens = Liens(document=f"/d/{uuid.UUID(int=0)}/", analyse="/a/")
    t = tendance(lignes, liens)
    ((courbe, unite),) = t.graphiques
    assert unite == "µmol/L"
    assert [p.libelle.split(" : ")[1].split(" µmol")[0] for p in courbe.points] == [
        "100",
        "120",
        "90",
    ]
    assert [m.libelle for m in courbe.marques] == [
        "unité : µmol/L → mmol/L",
        "unité : mmol/L → µmol/L",
    ]
    assert [p.lien for p in courbe.points] == [f"/d/{d.uuid}/" for d in docs]
    assert [ligne.valeur for ligne in t.lignes] == [
        "90\u00a0µmol/L",
        "0,12\u00a0mmol/L",
        "100\u00a0µmol/L",
    ]
    assert t.lignes[1].convertie == "120 µmol/L"
    assert [ligne.marque for ligne in t.lignes] == [
        "unité : mmol/L → µmol/L",
        "unité : µmol/L → mmol/L",
        "",
    ]


def test_deleting_or_hiding_a_document_hides_its_values(
    titulaire: Espace, client_titulaire: Client
) -> None:
    supprime = document(titulaire, titre="supprimé")
    cache = document(titulaire, titre="retenu par le professionnel", invisible_patient=True)
    ancienne = document(titulaire, titre="ancienne version", statut="archive")
    resultat(supprime, code="1", libelle="Valeur-supprimee")
    resultat(cache, code="2", libelle="Valeur-retenue")
    resultat(ancienne, code="3", libelle="Valeur-ancienne")
    from dossier import services

    services.document_supprimer(acces=_acces(titulaire), document=supprime)
    page = _liste(client_titulaire, titulaire)
    assert "Valeur-supprimee" not in page and "Valeur-retenue" not in page
    assert "Valeur-ancienne" not in page
    for code in ("1", "2", "3"):
        assert client_titulaire.get(_analyse(titulaire, code)).status_code == 404


def _acces(espace: Espace):  # type: ignore[no-untyped-def]
    from espace_sante.acces import espace_pour_acteur

    return espace_pour_acteur(utilisateur=espace.titulaire, espace_uuid=espace.uuid)


def test_a_representative_never_reads_the_values_of_a_minor_s_secret(
    enfant_represente: Espace, representant: Espace
) -> None:
    secret = document(enfant_represente, titre="secret", invisible_representants=True)
    ouvert = document(enfant_represente, titre="ouvert")
    resultat(secret, code="1", libelle="Valeur-secrete")
    resultat(ouvert, code="2", libelle="Valeur-ouverte")
    client = client_pour(representant.titulaire)
    page = _liste(client, enfant_represente)
    assert "Valeur-ouverte" in page and "Valeur-secrete" not in page
    assert client.get(_analyse(enfant_represente, "1")).status_code == 404
    assert not Evenement.objects.filter(
        action=Action.RESULTATS_CONSULTES, details__has_key="secret_mineur"
    ).exists()


def test_the_médecin_traitant_reads_the_results_and_the_patient_sees_the_trace(
    titulaire: Espace,
) -> None:
    pro = ProfessionnelFactory()
    AccesProfessionnel.objects.create(espace=titulaire, professionnel=pro, medecin_traitant=True)
    bilan = document(titulaire, titre="Bilan")
    masque = document(titulaire, titre="masqué", masque_ps=True)
    resultat(bilan, code=TSH, libelle="TSH")
    resultat(masque, code="9", libelle="Valeur-masquee")
    client = client_pour(pro.utilisateur)
    liste = client.get(reverse("professionnels:resultats", args=[titulaire.uuid]))
    assert liste.status_code == 200
    contenu = liste.content.decode()
    assert "TSH" in contenu and "Valeur-masquee" not in contenu
    assert reverse("professionnels:document", args=[titulaire.uuid, bilan.uuid]) in contenu
    analyse = empreinte_analyse(titulaire.pk, TSH)
    cible = reverse("professionnels:resultats_analyse", args=[titulaire.uuid, analyse])
    assert cible in contenu
    assert client.get(cible).status_code == 200
    masquee = empreinte_analyse(titulaire.pk, "9")
    assert (
        client.get(
            reverse("professionnels:resultats_analyse", args=[titulaire.uuid, masquee])
        ).status_code
        == 404
    )
    traces = Evenement.objects.filter(
        action=Action.RESULTATS_CONSULTES, acteur_type="professionnel"
    )
    assert sorted(traces.values_list("objet_id", flat=True)) == ["", analyse]


def test_a_profession_the_matrix_keeps_from_biology_sees_no_value(titulaire: Espace) -> None:
    psychologue = ProfessionnelFactory(profession="93")
    AccesProfessionnel.objects.create(espace=titulaire, professionnel=psychologue, autorise=True)
    resultat(document(titulaire), code=TSH, libelle="TSH")
    client = client_pour(psychologue.utilisateur)
    page = client.get(reverse("professionnels:resultats", args=[titulaire.uuid]))
    assert page.status_code == 200 and "TSH" not in page.content.decode()
    analyse = empreinte_analyse(titulaire.pk, TSH)
    cible = reverse("professionnels:resultats_analyse", args=[titulaire.uuid, analyse])
    assert client.get(cible).status_code == 404


def test_a_malformed_analysis_key_is_not_found(titulaire: Espace, client_titulaire: Client) -> None:
    for cle in ("x" * 64, "0" * 63, "../" * 10):
        url = reverse("dossier:resultats:liste", args=[titulaire.uuid]) + cle + "/"
        assert client_titulaire.get(url).status_code == 404


@pytest.mark.parametrize("nombre", [1, 50])
def test_the_list_page_takes_a_pinned_number_of_queries(
    titulaire: Espace, client_titulaire: Client, django_assert_num_queries, nombre: int
) -> None:  # type: ignore[no-untyped-def]
    documents = [document(titulaire, titre=f"Bilan {n}") for n in range(min(nombre, 10))]
    for n in range(nombre):
        resultat(
            documents[n % len(documents)], code=str(1000 + n % 25), libelle=f"Analyse {n % 25}",
            valeur=str(n), rang=n + 1, le=date(2024, 1, 1) + timedelta(days=n),
        )  # fmt: skip
    url = reverse("dossier:resultats:liste", args=[titulaire.uuid])
    client_titulaire.get(url)  # session warmed
    cache.clear()  # the results read from the database, not from the cache
    # session and user; the space with its access (and its documents' token); the results (one
    # query); the journal's append (two statements on PostgreSQL, four elsewhere); the session
    # saved (a savepoint, the update, its release); the menu's unread messages (the cache just
    # emptied: kept a minute, as the results are)
    with django_assert_num_queries(10 if connection.vendor == "postgresql" else 12):
        page = client_titulaire.get(url)
    assert page.status_code == 200
    lignes = page.content.decode().count('<th scope="row"><a class="fr-link"')
    assert lignes == min(nombre, 25)
    with django_assert_num_queries(8 if connection.vendor == "postgresql" else 10):
        assert client_titulaire.get(url).content.decode().count('<th scope="row"><a') == lignes


def test_the_cached_list_follows_every_change_of_the_documents(
    titulaire: Espace, client_titulaire: Client, enfant_represente: Espace
) -> None:
    """Read once (cached), then a document deleted, another held back, a third read again:
    each shows at once, and the holder's entry is not a representative's."""
    from dossier import services
    from dossier.resultats.lecture import document_relire

    supprime, retenu = (document(titulaire, titre=t) for t in ("a", "b"))
    relu = document(
        titulaire,
        titre="c",
        contenu=cr_bio(ins=titulaire.ins, observations=[Obs(libelle="Valeur-lue-a-nouveau")]),
        nature="cda",
        media_type="text/xml",
    )
    resultat(supprime, code="1", libelle="Valeur-supprimee")
    resultat(retenu, code="2", libelle="Valeur-retenue")
    resultat(relu, code="3", libelle="Valeur-relue", valeur="5")
    page = _liste(client_titulaire, titulaire)
    assert "Valeur-supprimee" in page and "Valeur-retenue" in page
    services.document_supprimer(acces=_acces(titulaire), document=supprime)
    assert "Valeur-supprimee" not in _liste(client_titulaire, titulaire)
    Document.objects.filter(pk=retenu.pk).update(invisible_patient=True)
    assert "Valeur-retenue" not in _liste(client_titulaire, titulaire)
    document_relire(document=relu)  # its rows replaced by what the report really holds
    page = _liste(client_titulaire, titulaire)
    assert "Valeur-relue" not in page and "Valeur-lue-a-nouveau" in page
    # On a minor's space, the holder's (here the minor's representative) entry is their own.
    secret = document(enfant_represente, titre="secret", invisible_representants=True)
    resultat(secret, code="4", libelle="Valeur-secrete")
    assert "Valeur-secrete" not in _liste(client_titulaire, enfant_represente)
