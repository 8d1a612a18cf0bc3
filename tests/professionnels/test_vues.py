"""The professionals' pages and the patient's "Mes professionnels de santé", per persona."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from espace_sante.journal.models import Action, Evenement
from professionnels.models import AccesProfessionnel, BrisDeGlace, Professionnel

from ..conftest import client_pour
from ..factories import EspaceFactory, ProfessionnelFactory, document, rpps

pytestmark = pytest.mark.django_db


def reauthentifie(client: Client, utilisateur) -> Client:  # type: ignore[no-untyped-def]
    """As if the person had just typed their password again (allauth's reauthentication)."""
    session = client.session
    session["account_authentication_methods_user"] = str(utilisateur.pk)
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "reauthenticated": True}
    ]
    session.save()
    return client


def _liste(espace) -> str:  # type: ignore[no-untyped-def]
    return reverse("professionnels:liste", args=[espace.uuid])


def test_the_patient_sees_who_has_access_and_why(titulaire, pro_autorise, pro_bloque) -> None:
    traitant = ProfessionnelFactory(utilisateur__nom="ROUX")
    AccesProfessionnel.objects.create(
        espace=titulaire, professionnel=traitant, medecin_traitant=True
    )
    urgentiste = ProfessionnelFactory(utilisateur__nom="URGENTISTE")
    BrisDeGlace.objects.create(
        espace=titulaire,
        professionnel=urgentiste,
        mode="bris_de_glace",
        motif="patient inconscient",
        fin=timezone.now() + timedelta(hours=1),
    )
    page = client_pour(titulaire.titulaire).get(_liste(titulaire)).content.decode()
    assert "Autorisé par vous" in page
    assert "Médecin traitant" in page
    assert "Accès en urgence jusqu" in page
    assert "Bloqué" in page
    assert "patient inconscient" not in page  # the reason is for the record, not for display here


def test_search_finds_only_verified_professionals_by_name_rpps_or_city(titulaire) -> None:
    verifie = ProfessionnelFactory(utilisateur__nom="LEFEBVRE", lieu_ville="NANTES")
    ProfessionnelFactory(utilisateur__nom="LEFEBVRE", statut="en_attente")
    client = client_pour(titulaire.titulaire)
    for q in ["lefebvre", verifie.rpps, "nantes"]:
        page = client.get(_liste(titulaire), {"q": q}).content.decode()
        assert page.count("RPPS ") == 1, q
        assert verifie.rpps in page


def test_granting_asks_for_the_password_again_then_grants(titulaire, pro_non_autorise) -> None:
    client = client_pour(titulaire.titulaire)
    url = reverse("professionnels:accorder", args=[titulaire.uuid, pro_non_autorise.uuid])
    assert client.get(url).status_code == 200
    reponse = client.post(url, {"jusqu_au": ""})
    assert reponse.status_code == 302 and "reauthenticate" in reponse["Location"]
    assert not AccesProfessionnel.objects.exists()
    reauthentifie(client, titulaire.titulaire)
    assert client.post(url, {"jusqu_au": ""}).status_code == 302
    assert AccesProfessionnel.objects.get().autorise


def test_blocking_needs_confirmation_and_recent_password(titulaire, pro_autorise) -> None:
    client = reauthentifie(client_pour(titulaire.titulaire), titulaire.titulaire)
    url = reverse("professionnels:bloquer", args=[titulaire.uuid, pro_autorise.uuid])
    assert client.post(url, {}).status_code == 200  # confirmation missing: the form again
    assert not AccesProfessionnel.objects.get().bloque
    assert client.post(url, {"confirmation": "on"}).status_code == 302
    assert AccesProfessionnel.objects.get().bloque


def test_forged_ids_answer_404_and_change_nothing(titulaire, autre_titulaire, pro_autorise) -> None:
    client = reauthentifie(client_pour(autre_titulaire.titulaire), autre_titulaire.titulaire)
    for nom in ["revoquer", "debloquer", "medecin_traitant", "bloquer", "accorder"]:
        url = reverse(f"professionnels:{nom}", args=[titulaire.uuid, pro_autorise.uuid])
        assert client.post(url, {"confirmation": "on"}).status_code == 404, nom
    inconnu = reverse("professionnels:accorder", args=[autre_titulaire.uuid, titulaire.uuid])
    assert client.post(inconnu, {}).status_code == 404
    en_attente = ProfessionnelFactory(statut="en_attente")
    url = reverse("professionnels:accorder", args=[autre_titulaire.uuid, en_attente.uuid])
    assert client.post(url, {}).status_code == 404
    assert AccesProfessionnel.objects.count() == 1 and AccesProfessionnel.objects.get().autorise


def test_a_professional_cannot_grant_themselves_anything(titulaire, pro_non_autorise) -> None:
    client = reauthentifie(client_pour(pro_non_autorise.utilisateur), pro_non_autorise.utilisateur)
    url = reverse("professionnels:accorder", args=[titulaire.uuid, pro_non_autorise.uuid])
    assert client.post(url, {}).status_code == 404
    assert client.get(reverse("professionnels:patient", args=[titulaire.uuid])).status_code == 404


def test_a_revoked_grant_used_from_an_old_tab_answers_404(titulaire, pro_autorise) -> None:
    doc = document(titulaire)
    pro = client_pour(pro_autorise.utilisateur)
    url = reverse("professionnels:document", args=[titulaire.uuid, doc.uuid])
    assert pro.get(url).status_code == 200
    patient = client_pour(titulaire.titulaire)
    patient.post(reverse("professionnels:revoquer", args=[titulaire.uuid, pro_autorise.uuid]))
    assert pro.get(url).status_code == 404
    assert (
        pro.get(reverse("professionnels:contenu", args=[titulaire.uuid, doc.uuid])).status_code
        == 404
    )


def test_sign_up_page_validates_the_rpps_and_creates_a_pending_account(client: Client) -> None:
    url = reverse("professionnels:inscription")
    donnees = {
        "prenom": "Ana",
        "nom": "Lopez",
        "rpps": "12345678901",
        "profession": "60",
        "lieu_nom": "Cabinet infirmier",
        "lieu_code_postal": "13001",
        "lieu_ville": "Marseille",
        "email": "ana@exemple.test",
        "password1": "un-mot-de-passe-solide-42",
        "password2": "un-mot-de-passe-solide-42",
    }
    reponse = client.post(url, donnees)
    assert reponse.status_code == 200 and "La clé du numéro RPPS" in reponse.content.decode()
    assert not Professionnel.objects.exists()
    donnees["rpps"] = rpps(77)
    assert "Demande d’inscription reçue" in client.post(url, donnees).content.decode()
    pro = Professionnel.objects.get()
    assert pro.statut == "en_attente" and pro.profession == "60" and pro.specialite == ""


def test_an_emergency_access_shows_a_banner_and_stands_out_in_the_history(
    titulaire, pro_non_autorise, django_capture_on_commit_callbacks
) -> None:
    client = client_pour(pro_non_autorise.utilisateur)
    url = reverse("professionnels:urgence")
    donnees = {
        "ins": titulaire.ins,
        "date_naissance": titulaire.date_naissance.isoformat(),
        "mode": "bris_de_glace",
        "motif": "",
    }
    reponse = client.post(url, donnees)
    assert reponse.status_code == 200 and not BrisDeGlace.objects.exists()
    donnees["motif"] = "patient inconscient aux urgences"
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(url, donnees)
    assert reponse.status_code == 302
    page = client.get(reverse("professionnels:accueil")).content.decode()
    assert "Accès en urgence en cours" in page
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [titulaire.titulaire.email]
    historique = client_pour(titulaire.titulaire).get(
        reverse("ensemble:historique", args=[titulaire.uuid]), {"onglet": "professionnels"}
    )
    contenu = historique.content.decode()
    assert "evenement--urgence" in contenu
    assert "a ouvert un accès en urgence à votre dossier (bris de glace)" in contenu


def test_emergency_with_a_wrong_birth_date_finds_nobody(titulaire, pro_non_autorise) -> None:
    client = client_pour(pro_non_autorise.utilisateur)
    reponse = client.post(
        reverse("professionnels:urgence"),
        {
            "ins": titulaire.ins,
            "date_naissance": "1990-01-01",
            "mode": "bris_de_glace",
            "motif": "patient inconscient aux urgences",
        },
    )
    assert reponse.status_code == 200 and "Aucun espace" in reponse.content.decode()
    assert not BrisDeGlace.objects.exists()


def test_the_history_tells_professional_reads_in_plain_language(titulaire, pro_autorise) -> None:
    doc = document(
        titulaire, type_code="18748-4", date_acte=timezone.localdate().replace(month=3, day=3)
    )
    cache = document(titulaire, type_code="18748-4", titre="Secret", invisible_patient=True)
    pro = client_pour(pro_autorise.utilisateur)
    pro.get(reverse("professionnels:document", args=[titulaire.uuid, doc.uuid]))
    pro.get(reverse("professionnels:document", args=[titulaire.uuid, cache.uuid]))
    page = (
        client_pour(titulaire.titulaire)
        .get(reverse("ensemble:historique", args=[titulaire.uuid]), {"onglet": "professionnels"})
        .content.decode()
    )
    assert "Dr Paul MARTIN, médecin généraliste, a consulté « Bilan sanguin » du 3 mars" in page
    assert "a consulté un document" in page  # the held-back one is not described to the patient
    assert Evenement.objects.filter(action=Action.DOCUMENT_CONSULTE).count() == 2


def test_the_professional_list_marks_documents_the_patient_cannot_see(
    titulaire, pro_autorise
) -> None:
    document(titulaire, titre="Annonce diagnostique", invisible_patient=True)
    page = (
        client_pour(pro_autorise.utilisateur)
        .get(reverse("professionnels:patient", args=[titulaire.uuid]))
        .content.decode()
    )
    assert "Annonce diagnostique" in page and "Non visible du patient" in page
    patient = client_pour(titulaire.titulaire).get(
        reverse("dossier:documents", args=[titulaire.uuid])
    )
    assert "Annonce diagnostique" not in patient.content.decode()


def test_the_professional_home_lists_authorised_patients_only(titulaire, pro_autorise) -> None:
    EspaceFactory(nom_naissance="INCONNU")
    page = (
        client_pour(pro_autorise.utilisateur)
        .get(reverse("professionnels:accueil"))
        .content.decode()
    )
    assert titulaire.nom_naissance in page and "INCONNU" not in page


def test_a_professional_login_is_journaled_on_their_account(pro_autorise) -> None:
    from ..browser.conftest import code_totp
    from ..factories import MOT_DE_PASSE, SECRET_TOTP

    client = Client()
    reponse = client.post(
        reverse("account_login"),
        {"login": pro_autorise.utilisateur.email, "password": MOT_DE_PASSE},
    )
    assert reponse["Location"] == reverse("mfa_authenticate")
    assert not Evenement.objects.filter(action=Action.CONNEXION).exists()
    client.post(reverse("mfa_authenticate"), {"code": code_totp(SECRET_TOTP)})
    evenement = Evenement.objects.get(action=Action.CONNEXION)
    assert evenement.acteur_type == "professionnel"
    assert evenement.chaine == f"compte:{pro_autorise.utilisateur.uuid}"
    assert evenement.espace_uuid is None


def test_the_professional_searches_and_filters_within_what_they_may_read(
    titulaire, pro_autorise
) -> None:
    document(titulaire, titre="Échographie abdominale", type_code="18748-4")
    document(titulaire, titre="Échographie cachée", type_code="18748-4", masque_ps=True)
    document(titulaire, titre="Bilan sanguin", type_code="11502-2")
    client = client_pour(pro_autorise.utilisateur)
    url = reverse("professionnels:patient", args=[titulaire.uuid])
    page = client.get(url, {"q": "graphie"}).content.decode()
    assert "Échographie abdominale" in page
    assert "Échographie cachée" not in page and "Bilan sanguin" not in page
    page = client.get(url, {"categorie": "biologie"}).content.decode()
    assert "Bilan sanguin" in page and "Échographie abdominale" not in page


def test_the_professional_list_query_count_does_not_grow_with_documents(
    titulaire, pro_autorise
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_pour(pro_autorise.utilisateur)
    url = reverse("professionnels:patient", args=[titulaire.uuid])
    client.get(url)  # the first read notifies the patient once: not the steady state
    comptes = []
    for nombre, page in [(3, 1), (60, 1), (60, 3)]:
        while titulaire.documents.count() < nombre:
            document(titulaire, titre=f"Document {titulaire.documents.count()}")
        with CaptureQueriesContext(connection) as requetes:
            assert client.get(url, {"page": page}).status_code == 200
        comptes.append(len(requetes))
    assert comptes[0] == comptes[1] == comptes[2] <= 21, comptes


def _deposer(client: Client, espace, **champs: object):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ..dossier import fabrique

    donnees: dict[str, object] = {
        "fichier": SimpleUploadedFile("cr.pdf", fabrique.pdf(1), "application/pdf"),
        "titre": "Compte rendu d'annonce",
        "date_acte": "2026-03-03",
        "type_code": "11488-4",
    }
    donnees.update(champs)
    return client.post(reverse("professionnels:deposer", args=[espace.uuid]), donnees)


def test_a_deposit_with_both_forbidden_flags_is_refused_and_keeps_nothing(
    titulaire, pro_autorise
) -> None:
    from dossier.models import Document
    from espace_sante.coffre.models import Blob

    avant = Blob.objects.count()
    reponse = _deposer(
        client_pour(pro_autorise.utilisateur), titulaire, invisible_patient="on", masque_ps="on"
    )
    assert reponse.status_code == 400
    assert "à la fois invisible pour le patient et masqué" in reponse.content.decode()
    assert not Document.objects.exists() and Blob.objects.count() == avant


def test_a_held_back_deposit_is_released_by_its_author_only(
    titulaire, pro_autorise, django_capture_on_commit_callbacks
) -> None:
    from dossier.models import Document

    auteur = client_pour(pro_autorise.utilisateur)
    with django_capture_on_commit_callbacks(execute=True):
        assert _deposer(auteur, titulaire, invisible_patient="on").status_code == 302
    doc = Document.objects.get()
    assert doc.invisible_patient and doc.statut == "disponible"
    assert mail.outbox == []  # held back: the patient is not told yet
    patient = client_pour(titulaire.titulaire)
    page = reverse("dossier:document", args=[titulaire.uuid, doc.uuid])
    assert patient.get(page).status_code == 404

    collegue = ProfessionnelFactory(utilisateur__nom="COLLEGUE")
    AccesProfessionnel.objects.create(espace=titulaire, professionnel=collegue, autorise=True)
    liberer = reverse("professionnels:liberer", args=[titulaire.uuid, doc.uuid])
    client_pour(collegue.utilisateur).post(liberer)
    doc.refresh_from_db()
    assert doc.invisible_patient

    with django_capture_on_commit_callbacks(execute=True):
        auteur.post(liberer)
    doc.refresh_from_db()
    assert not doc.invisible_patient
    assert patient.get(page).status_code == 200
    assert [m.to for m in mail.outbox] == [[titulaire.titulaire.email]]
    assert Evenement.objects.filter(action=Action.DOCUMENT_LIBERE).count() == 1


def test_a_professional_replaces_their_own_document_not_someone_else_s(
    titulaire, pro_autorise
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dossier.models import Document

    from ..dossier import fabrique

    auteur = client_pour(pro_autorise.utilisateur)
    _deposer(auteur, titulaire)
    ancien = Document.objects.get()
    autre = document(titulaire, titre="Écrit par un autre")
    for cible in (autre, ancien):
        auteur.post(
            reverse("professionnels:remplacer", args=[titulaire.uuid, cible.uuid]),
            {"fichier": SimpleUploadedFile("v2.pdf", fabrique.pdf(2), "application/pdf")},
        )
    ancien.refresh_from_db()
    autre.refresh_from_db()
    assert ancien.statut == "archive" and autre.statut == "disponible"
    nouveau = Document.objects.get(version_precedente=ancien)
    assert nouveau.auteur_id == str(pro_autorise.utilisateur.uuid)
    assert Document.objects.count() == 3


def test_no_new_document_e_mail_when_the_patient_turned_it_off(
    titulaire, pro_autorise, django_capture_on_commit_callbacks
) -> None:
    from professionnels.models import ReglagesAcces

    ReglagesAcces.objects.create(espace=titulaire, notifier_nouveau_document=False)
    client = client_pour(pro_autorise.utilisateur)
    client.get(reverse("professionnels:patient", args=[titulaire.uuid]))
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        assert _deposer(client, titulaire).status_code == 302
    assert mail.outbox == []


def test_a_professional_cannot_deposit_where_they_have_no_access(
    titulaire, pro_non_autorise
) -> None:
    from dossier.models import Document

    reponse = _deposer(client_pour(pro_non_autorise.utilisateur), titulaire)
    assert reponse.status_code == 404 and not Document.objects.exists()


def test_a_professional_reads_the_profile_as_the_matrix_says_and_adds_a_measure(
    titulaire, pro_autorise, client_titulaire
) -> None:
    from profil.models import Allergie, Mesure

    Allergie.objects.create(espace=titulaire, substance="Pénicilline", severite="severe")
    client = client_pour(pro_autorise.utilisateur)
    url = reverse("professionnels:profil", args=[titulaire.uuid])
    page = client.get(url)
    assert page.status_code == 200 and "Pénicilline" in page.content.decode()
    assert Evenement.objects.filter(action=Action.PROFIL_CONSULTE).count() == 1
    ajout = reverse("professionnels:profil_ajouter", args=[titulaire.uuid, "mesures"])
    reponse = client.post(ajout, {"type": "poids", "valeur": "68", "date": "2026-02-01"})
    assert reponse.status_code == 302
    mesure = Mesure.objects.get()
    assert (
        mesure.saisi_par_type == "professionnel" and "médecin généraliste" in mesure.saisi_par_nom
    )
    interdit = reverse("professionnels:profil_ajouter", args=[titulaire.uuid, "allergies"])
    assert client.get(interdit).status_code == 404
    patient = client_titulaire.get(reverse("profil:profil_medical", args=[titulaire.uuid]))
    assert "Saisie par Dr Paul MARTIN" in patient.content.decode()
    historique = client_titulaire.get(
        reverse("ensemble:historique", args=[titulaire.uuid]), {"onglet": "professionnels"}
    ).content.decode()
    assert "a consulté votre profil médical" in historique
    assert "a ajouté une entrée à vos mesures" in historique


def test_the_profile_is_refused_where_the_matrix_or_the_patient_says_so(
    titulaire, pro_autorise
) -> None:
    from dossier.models import ReglagesDossier
    from professionnels.models import Habilitation

    opticien = ProfessionnelFactory(profession="28")
    AccesProfessionnel.objects.create(espace=titulaire, professionnel=opticien, autorise=True)
    url = reverse("professionnels:profil", args=[titulaire.uuid])
    assert Habilitation.objects.get(profession="28", type_code="DOCPAT08").lecture is False
    assert client_pour(opticien.utilisateur).get(url).status_code == 404
    medecin = client_pour(pro_autorise.utilisateur)
    assert medecin.get(url).status_code == 200
    ReglagesDossier.objects.create(espace=titulaire, tout_masque=True)
    assert medecin.get(url).status_code == 404
    assert Evenement.objects.filter(action=Action.PROFIL_CONSULTE).count() == 1


def test_a_minor_s_secret_entry_is_hidden_from_the_representatives(
    enfant_represente, representant
) -> None:
    from profil.models import Vaccination

    pro = ProfessionnelFactory()
    AccesProfessionnel.objects.create(espace=enfant_represente, professionnel=pro, autorise=True)
    client = client_pour(pro.utilisateur)
    ajout = reverse("professionnels:profil_ajouter", args=[enfant_represente.uuid, "vaccinations"])
    assert "Masqué aux représentants légaux" in client.get(ajout).content.decode()
    client.post(ajout, {"famille": "HPV", "date": "2026-01-10", "secret_mineur": "on"})
    client.post(ajout, {"famille": "ROR", "date": "2026-01-10"})
    vaccins = {v.famille: v for v in Vaccination.objects.all()}  # encrypted: read, then compare
    secret = vaccins["HPV"]
    assert secret.secret_mineur and not vaccins["ROR"].secret_mineur
    parent = client_pour(representant.titulaire)
    page = parent.get(reverse("profil:profil_medical", args=[enfant_represente.uuid]))
    html = page.content.decode()
    ror = "<strong>Rougeole, oreillons, rubéole</strong>"
    hpv = "<strong>Infections à papillomavirus"
    assert ror in html and hpv not in html  # the carnet names the vaccine, not its code
    modifier = reverse(
        "profil:profil_modifier", args=[enfant_represente.uuid, "vaccinations", secret.uuid]
    )
    assert parent.get(modifier).status_code == 404
    historique = parent.get(
        reverse("ensemble:historique", args=[enfant_represente.uuid]), {"onglet": "professionnels"}
    ).content.decode()
    assert "vaccination" not in historique.split("<table", 1)[1]  # the secret's section untold
    assert "a ajouté une entrée à son profil médical" in historique
    pro_page = client.get(reverse("professionnels:profil", args=[enfant_represente.uuid]))
    assert hpv in pro_page.content.decode()


def test_directives_are_read_by_the_professions_the_matrix_allows(titulaire, pro_autorise) -> None:
    from datetime import date

    from profil.models import DirectivesAnticipees

    DirectivesAnticipees.objects.create(
        espace=titulaire,
        situation="maladie",
        reanimation="Pas de réanimation prolongée.",
        fait_le=date(2026, 1, 5),
    )
    dentiste = ProfessionnelFactory(profession="40")
    AccesProfessionnel.objects.create(espace=titulaire, professionnel=dentiste, autorise=True)
    url = reverse("professionnels:profil", args=[titulaire.uuid])
    medecin = client_pour(pro_autorise.utilisateur).get(url).content.decode()
    assert "Pas de réanimation prolongée." in medecin
    chez_le_dentiste = client_pour(dentiste.utilisateur).get(url).content.decode()
    assert "Pas de réanimation prolongée." not in chez_le_dentiste
    assert "votre profession ne peut pas les lire" in chez_le_dentiste
