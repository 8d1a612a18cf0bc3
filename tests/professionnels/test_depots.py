"""Issue 17, point 2: a professional's deposit tells the truth. The page after a deposit shows
the document's state and follows it (en traitement → disponible, or refusé with the reason);
"Mes dépôts" lists every deposit with its state; a refused deposit (a CDA about another
person, a corrupt file) is recorded and journaled, its file is not kept, and the patient's
side never shows it (lists, counts and their cached summary, search, the document's page)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dossier.models import Document, Source, Statut
from dossier.selectors import Filtres, documents_filtres, sommaire_documents
from espace_sante.acces import (
    acces_professionnel,
    depots_du_professionnel,
    documents_lisibles,
    espace_pour_acteur,
    refus_a_signaler,
)
from espace_sante.coffre.models import Blob
from espace_sante.coffre.services import EcrivainBlob
from espace_sante.coffre.televersement import FichierChiffre
from espace_sante.journal.models import Action, Evenement
from espace_sante.lib.erreurs import Refus
from professionnels import services
from professionnels.models import AccesProfessionnel

from ..conftest import client_pour
from ..dossier import fabrique
from ..factories import ProfessionnelFactory, document

pytestmark = pytest.mark.django_db

TITRE_AUTRE = "CR de Mme Autre Personne"


def _deposer(client: Client, espace, contenu: bytes, nom: str = "cr.pdf", **champs: object):  # type: ignore[no-untyped-def]
    media = "text/xml" if nom.endswith(".xml") else "application/pdf"
    donnees: dict[str, object] = {
        "fichier": SimpleUploadedFile(nom, contenu, media),
        "titre": "CR annonce Zeta",
        "date_acte": "2026-03-03",
        "type_code": "11488-4",
    }
    donnees.update(champs)
    return client.post(reverse("professionnels:deposer", args=[espace.uuid]), donnees)


def _titres(reponse) -> str:  # type: ignore[no-untyped-def]
    assert reponse.status_code == 200
    return reponse.content.decode()


def _patient(espace):  # type: ignore[no-untyped-def]
    return espace_pour_acteur(utilisateur=espace.titulaire, espace_uuid=espace.uuid)


def test_a_cda_about_another_person_is_refused_told_to_its_author_and_never_the_patient_s(
    titulaire, autre_titulaire, pro_autorise, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    document(titulaire, titre="Bilan déjà là")
    patient = client_pour(titulaire.titulaire)
    liste = reverse("dossier:documents", args=[titulaire.uuid])
    avant = _titres(patient.get(liste))  # the summary is computed and cached now
    comptes_avant = sommaire_documents(acces=_patient(titulaire)).comptes
    blobs_avant = Blob.objects.count()

    auteur = client_pour(pro_autorise.utilisateur)
    with django_capture_on_commit_callbacks(execute=True):
        reponse = _deposer(
            auteur, titulaire, fabrique.cda(ins=autre_titulaire.ins), "cr.xml", titre=TITRE_AUTRE
        )
    depot = Document.objects.get(auteur_id=str(pro_autorise.utilisateur.uuid))
    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("professionnels:depot", args=[depot.uuid])

    # The author is told the truth: refused, and why, in plain words.
    page = _titres(auteur.get(reponse["Location"]))
    assert "Refusé" in page and "autre personne" in page
    assert "Document ajouté" not in page and "Ouvrir le document" not in page
    mes_depots = _titres(auteur.get(reverse("professionnels:depots")))
    assert TITRE_AUTRE in mes_depots and "Refusé" in mes_depots

    # Recorded (what, when, by whom, for which space, why), journaled, the file not kept.
    assert depot.statut == Statut.EN_ERREUR and "autre personne" in depot.motif_erreur
    assert depot.traite_le is not None and depot.espace == titulaire
    assert depot.auteur_id == str(pro_autorise.utilisateur.uuid)
    assert depot.blob is None and Blob.objects.count() == blobs_avant
    refus = Evenement.objects.get(action=Action.DOCUMENT_REFUSE)
    assert refus.espace_uuid == titulaire.uuid and refus.objet_id == str(depot.uuid)
    assert refus.details["depot_professionnel"] is True
    assert "autre personne" in refus.details["motif"]

    # The patient's side: not in the list, the counts (cached summary), search or any page.
    assert TITRE_AUTRE not in _titres(patient.get(liste))
    assert "Bilan déjà là" in avant
    assert sommaire_documents(acces=_patient(titulaire)).comptes == comptes_avant
    assert not documents_filtres(
        acces=_patient(titulaire), filtres=Filtres(recherche="autre personne")
    ).exists()
    assert TITRE_AUTRE not in _titres(patient.get(liste, {"q": "Autre Personne"}))
    assert (
        patient.get(reverse("dossier:document", args=[titulaire.uuid, depot.uuid])).status_code
        == 404
    )
    assert not documents_lisibles(acces=_patient(titulaire)).filter(pk=depot.pk).exists()
    # Nor is it a document of the space for professionals, its author included.
    acces = acces_professionnel(professionnel=pro_autorise, espace_uuid=titulaire.uuid)
    assert not documents_lisibles(acces=acces).filter(pk=depot.pk).exists()
    assert TITRE_AUTRE not in _titres(
        auteur.get(reverse("professionnels:patient", args=[titulaire.uuid]))
    )


def test_a_corrupt_file_is_refused_with_its_reason(
    titulaire, pro_autorise, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    auteur = client_pour(pro_autorise.utilisateur)
    with django_capture_on_commit_callbacks(execute=True):
        reponse = _deposer(auteur, titulaire, fabrique.pdf(2)[:200], "casse.pdf")
    depot = Document.objects.get()
    assert depot.statut == Statut.EN_ERREUR and depot.blob is None
    page = _titres(auteur.get(reponse["Location"]))
    assert "Refusé" in page and depot.motif_erreur.split(" ")[0] in page
    assert "CR annonce Zeta" not in _titres(
        client_pour(titulaire.titulaire).get(reverse("dossier:documents", args=[titulaire.uuid]))
    )


def test_until_its_job_decides_the_deposit_is_en_traitement_and_only_its_author_sees_it(
    titulaire, pro_autorise, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    auteur = client_pour(pro_autorise.utilisateur)
    reponse = _deposer(auteur, titulaire, fabrique.pdf(1))  # the job is not run yet
    depot = Document.objects.get()
    assert depot.statut == Statut.EN_TRAITEMENT
    page = _titres(auteur.get(reponse["Location"]))
    # Its job has not reached the broker here (the outbox waits for the commit): "en attente".
    assert "En attente de traitement" in page and "Actualiser" in page
    assert "Document ajouté" not in page and "Disponible" not in page
    fragment = _titres(auteur.get(reverse("professionnels:depot_etat", args=[depot.uuid])))
    assert 'data-en-cours="1"' in fragment and "<html" not in fragment

    # The patient and the other professionals do not see it yet; its author does.
    patient = client_pour(titulaire.titulaire)
    liste = reverse("dossier:documents", args=[titulaire.uuid])
    assert "CR annonce Zeta" not in _titres(patient.get(liste))
    collegue = ProfessionnelFactory(utilisateur__nom="COLLEGUE")
    AccesProfessionnel.objects.create(espace=titulaire, professionnel=collegue, autorise=True)
    dossier_pro = reverse("professionnels:patient", args=[titulaire.uuid])
    assert "CR annonce Zeta" not in _titres(client_pour(collegue.utilisateur).get(dossier_pro))
    assert "CR annonce Zeta" in _titres(auteur.get(dossier_pro))

    # The job accepts it: the fragment says so, and the patient sees it.
    from dossier.ingestion import document_ingerer

    with django_capture_on_commit_callbacks(execute=True):
        assert document_ingerer(document_id=depot.pk) == "disponible"
    fragment = _titres(auteur.get(reverse("professionnels:depot_etat", args=[depot.uuid])))
    assert 'data-statut="disponible"' in fragment and "Ouvrir le document" in fragment
    assert "Actualiser" not in fragment
    assert "CR annonce Zeta" in _titres(patient.get(liste))


def test_mes_depots_lists_only_one_s_own_deposits_paged_with_a_fixed_query_count(
    titulaire, pro_autorise
) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    moi = str(pro_autorise.utilisateur.uuid)
    autre = ProfessionnelFactory(utilisateur__nom="AUTRE")
    document(titulaire, titre="Dépôt d'un autre", auteur_id=str(autre.utilisateur.uuid))
    client = client_pour(pro_autorise.utilisateur)
    url = reverse("professionnels:depots")
    client.get(url)  # the session's first page checks the second factor once: not steady
    comptes = []
    for nombre in (2, 30):
        while Document.objects.filter(auteur_id=moi).count() < nombre:
            n = Document.objects.count()
            document(titulaire, titre=f"Mon dépôt {n:02d}", auteur_id=moi)
        with CaptureQueriesContext(connection) as requetes:
            page = _titres(client.get(url))
        comptes.append(len(requetes))
    assert comptes[0] == comptes[1], comptes
    assert "Dépôt d'un autre" not in page and page.count("Mon dépôt") == 25
    assert "Page 1 sur 2" in page
    assert _titres(client.get(url, {"page": 2})).count("Mon dépôt") == 5
    # Someone else's deposit: 404, as for one that does not exist.
    autre_depot = Document.objects.get(auteur_id=str(autre.utilisateur.uuid))
    for nom in ("professionnels:depot", "professionnels:depot_etat"):
        assert client.get(reverse(nom, args=[autre_depot.uuid])).status_code == 404


def test_a_refused_new_version_gives_its_place_back_to_the_old_one(
    titulaire, autre_titulaire, pro_autorise, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    auteur = client_pour(pro_autorise.utilisateur)
    with django_capture_on_commit_callbacks(execute=True):
        _deposer(auteur, titulaire, fabrique.pdf(1))
    ancien = Document.objects.get()
    assert ancien.statut == Statut.DISPONIBLE
    with django_capture_on_commit_callbacks(execute=True):
        auteur.post(
            reverse("professionnels:remplacer", args=[titulaire.uuid, ancien.uuid]),
            {
                "fichier": SimpleUploadedFile(
                    "v2.xml", fabrique.cda(ins=autre_titulaire.ins), "text/xml"
                )
            },
        )
    nouveau = Document.objects.exclude(pk=ancien.pk).get()
    ancien.refresh_from_db()
    assert nouveau.statut == Statut.EN_ERREUR and nouveau.version_precedente is None
    assert ancien.statut == Statut.DISPONIBLE
    patient = client_pour(titulaire.titulaire)
    page = _titres(patient.get(reverse("dossier:documents", args=[titulaire.uuid])))
    assert "CR annonce Zeta" in page


def test_a_patient_s_own_failed_upload_is_a_notice_not_a_document_of_their_list(
    titulaire, autre_titulaire, client_titulaire, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    """The patient's own refused file is told as a notice with its reason (issue 20, point 2),
    not listed among their documents."""
    with django_capture_on_commit_callbacks(execute=True):
        client_titulaire.post(
            reverse("dossier:deposer", args=[titulaire.uuid]),
            {
                "fichiers": SimpleUploadedFile(
                    "cr.xml", fabrique.cda(ins=autre_titulaire.ins), "text/xml"
                ),
                "titre": "Mon CR",
                "date_acte": "2026-03-03",
                "type_code": "DOCPAT03",
            },
        )
    depot = Document.objects.get()
    assert depot.source == Source.PATIENT and depot.statut == Statut.EN_ERREUR
    assert not documents_lisibles(acces=_patient(titulaire)).filter(pk=depot.pk).exists()
    assert refus_a_signaler(acces=_patient(titulaire)).filter(pk=depot.pk).exists()


# --- The service, outside a view (the API calls it too) ---------------------------------------


def _fichier(contenu: bytes, nom: str, media: str) -> FichierChiffre:
    ecrivain = EcrivainBlob(media_type=media)
    ecrivain.ecrire(contenu)
    ecrivain.clore()
    return FichierChiffre(ecrivain, name=nom, content_type=media)


def test_the_deposit_service_takes_the_professional_the_space_the_file_and_metadata(
    titulaire, pro_autorise, pro_non_autorise, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    metadonnees = services.MetadonneesDepot(
        titre="Ordonnance", date_acte=date(2026, 3, 3), type_code="57833-6"
    )
    with django_capture_on_commit_callbacks(execute=True):
        depot = services.depot_deposer(
            professionnel=pro_autorise,
            espace=titulaire,
            fichier=_fichier(fabrique.pdf(1), "o.pdf", "application/pdf"),
            metadonnees=metadonnees,
        )
    depot.refresh_from_db()
    assert depot.statut == Statut.DISPONIBLE and depot.type_code == "57833-6"
    assert list(depots_du_professionnel(professionnel=pro_autorise)) == [depot]

    blobs = Blob.objects.count()
    with pytest.raises(Refus) as refus:
        services.depot_deposer(
            professionnel=pro_non_autorise,
            espace=titulaire,
            fichier=_fichier(fabrique.pdf(1), "o.pdf", "application/pdf"),
            metadonnees=metadonnees,
        )
    assert "accès" in refus.value.message
    with pytest.raises(Refus):
        services.depot_deposer(
            professionnel=pro_autorise,
            espace=titulaire,
            fichier=_fichier(fabrique.pdf(1), "o.pdf", "application/pdf"),
            metadonnees=services.MetadonneesDepot(
                titre="x", date_acte=date(2026, 3, 3), type_code="DOCPAT03"
            ),
        )
    assert Blob.objects.count() == blobs and Document.objects.count() == 1


def test_a_suspended_professional_s_deposits_are_no_longer_theirs_to_read(
    titulaire, pro_autorise
) -> None:  # type: ignore[no-untyped-def]
    depot = document(titulaire, auteur_id=str(pro_autorise.utilisateur.uuid))
    pro_autorise.statut = "suspendu"
    pro_autorise.save()
    client = client_pour(pro_autorise.utilisateur)
    assert client.get(reverse("professionnels:depot", args=[depot.uuid])).status_code == 404
    page = client.get(reverse("professionnels:depots"))
    assert page.status_code == 403 and "pas actif" in page.content.decode()
    assert not depots_du_professionnel(professionnel=pro_autorise).exists()


def test_once_the_patient_withdraws_the_access_the_deposit_is_only_counted(
    titulaire, pro_autorise
) -> None:  # type: ignore[no-untyped-def]
    depot = document(
        titulaire, titre="CR annonce Zeta", auteur_id=str(pro_autorise.utilisateur.uuid)
    )
    client = client_pour(pro_autorise.utilisateur)
    page = reverse("professionnels:depot", args=[depot.uuid])
    assert client.get(page).status_code == 200
    AccesProfessionnel.objects.filter(professionnel=pro_autorise).update(autorise=False)
    assert client.get(page).status_code == 404
    liste = _titres(client.get(reverse("professionnels:depots")))
    assert "CR annonce Zeta" not in liste and titulaire.prenoms not in liste
    assert "1 autre dépôt n'est plus consultable" in liste
