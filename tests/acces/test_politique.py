"""The access policy (espace_sante/acces/), table-driven (issue 5, point 4): professions ×
grant states × document types × visibility flags, checked through every page that serves a
document — the professional's list, the document page, the download and the preview — and
through the patient's and the representative's pages for the patient-side flags. Then one
table for each rule that lived elsewhere before issue 15: which spaces a person acts for, the
parts of the profile reserved to adults, what a professional writes, the grant and the
emergency wherever they are shown, the author, who marks a minor's secret, who is told of a
new document.

Lab results (issue 16) are read through their documents: each document of the tables carries
one, and the results pages (list and trend) answer like the document's own pages.

The expected answer of each case is written from DESIGN.md §2–§6 (``attendu`` and the
``*_ATTENDUS`` tables below), apart from the code under test."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from dossier.models import Apercu, ReglagesDossier, empreinte_analyse
from espace_sante.acces import (
    Motif,
    acces_professionnel,
    documents_lisibles,
    espace_pour_acteur,
    espace_pour_lecture,
    espaces_accessibles,
    espaces_autorises,
)
from espace_sante.coffre.services import blob_ecrire_octets
from professionnels.models import AccesProfessionnel, BrisDeGlace, ReglagesAcces
from profil.models import Statut

from ..conftest import client_pour
from ..dossier.resultats_cda import resultat
from ..factories import EspaceFactory, ProfessionnelFactory, RepresentationFactory, document

pytestmark = pytest.mark.django_db

MEDECIN, DENTISTE, PHARMACIEN, PODOLOGUE = "10", "40", "21", "80"
# Types chosen so that each profession below is refused at least one of them by the matrix.
BIOLOGIE, DIRECTIVES, IMAGERIE, ACCOUCHEMENT, PSY = (
    "11502-2",
    "EXPPAT_3",
    "18748-4",
    "15508-5",
    "68599-0",
)
MATRICE = {  # what the seeded matrix says (docs/MATRICE.md)
    MEDECIN: {BIOLOGIE, DIRECTIVES, IMAGERIE, ACCOUCHEMENT, PSY},
    DENTISTE: {BIOLOGIE, IMAGERIE, ACCOUCHEMENT},
    PHARMACIEN: {BIOLOGIE},
    PODOLOGUE: {BIOLOGIE, IMAGERIE},
}
ETATS = [
    "aucun",
    "autorise",
    "expire",
    "revoque",
    "bloque",
    "urgence",
    "urgence_finie",
    "urgence_refusee_par_patient",
    "medecin_traitant",
    "autorise_espace_cloture",
    "autorise_pro_suspendu",
]
ETATS_OUVERTS = {"autorise", "urgence", "medecin_traitant"}
DRAPEAUX = ["aucun", "masque_ps", "invisible_patient", "invisible_representants", "de_l_auteur"]


def attendu(*, profession: str, etat: str, type_code: str, drapeau: str, tout_masque: bool) -> bool:
    if etat not in ETATS_OUVERTS:
        return False
    if drapeau == "de_l_auteur":
        return True
    if type_code not in MATRICE[profession]:
        return False
    return drapeau != "masque_ps" and not tout_masque


@dataclass
class Cas:
    profession: str
    etat: str
    tout_masque: bool


def _cas() -> list[Cas]:
    cas = [
        Cas(profession, etat, False)
        for profession, etat in itertools.product(MATRICE, ETATS)
        if etat != "medecin_traitant" or profession == MEDECIN
    ]
    cas += [Cas(p, e, True) for p, e in [(MEDECIN, "autorise"), (DENTISTE, "urgence")]]
    return cas


def _etat(cas: Cas):  # type: ignore[no-untyped-def]
    """A space and a professional standing as ``cas`` says."""
    espace = EspaceFactory()
    pro = ProfessionnelFactory(
        profession=cas.profession, statut="suspendu" if cas.etat.endswith("suspendu") else "verifie"
    )
    maintenant = timezone.now()
    lien = {"espace": espace, "professionnel": pro}
    if cas.etat in {"autorise", "autorise_espace_cloture", "autorise_pro_suspendu"}:
        AccesProfessionnel.objects.create(**lien, autorise=True)
    elif cas.etat == "expire":
        AccesProfessionnel.objects.create(
            **lien, autorise=True, expire_le=maintenant - timedelta(minutes=1)
        )
    elif cas.etat == "revoque":
        AccesProfessionnel.objects.create(**lien, autorise=False, revoque_le=maintenant)
    elif cas.etat == "bloque":
        AccesProfessionnel.objects.create(**lien, bloque=True)
        BrisDeGlace.objects.create(
            **lien, mode="bris_de_glace", motif="x" * 12, fin=maintenant + timedelta(hours=1)
        )
    elif cas.etat == "medecin_traitant":
        AccesProfessionnel.objects.create(**lien, medecin_traitant=True)
    elif cas.etat.startswith("urgence"):
        fin = maintenant + timedelta(hours=-1 if cas.etat == "urgence_finie" else 1)
        BrisDeGlace.objects.create(
            **lien, mode="bris_de_glace", motif="patient inconscient", fin=fin
        )
        if cas.etat == "urgence_refusee_par_patient":
            ReglagesAcces.objects.create(espace=espace, urgence_autorisee=False)
    if cas.etat == "autorise_espace_cloture":
        espace.statut = Statut.CLOTURE
        espace.save()
    if cas.tout_masque:
        ReglagesDossier.objects.create(espace=espace, tout_masque=True)
    return espace, pro


def _installer(cas: Cas):  # type: ignore[no-untyped-def]
    """``_etat``, and one document of each type and flag, with a preview each."""
    espace, pro = _etat(cas)
    documents = {}
    for type_code, drapeau in itertools.product(MATRICE[MEDECIN], DRAPEAUX):
        champs: dict[str, object] = {"type_code": type_code, "titre": f"DOC-{type_code}-{drapeau}"}
        if drapeau == "de_l_auteur":
            champs.update(
                auteur_id=str(pro.utilisateur.uuid), masque_ps=True, auteur_nom=pro.nom_affiche
            )
        elif drapeau != "aucun":
            champs[drapeau] = True
        doc = document(espace, **champs)
        Apercu.objects.create(
            document=doc,
            genre=Apercu.Genre.MINIATURE,
            rang=0,
            blob=blob_ecrire_octets(b"\x89PNG miniature", media_type="image/png"),
        )
        resultat(doc, code=f"{type_code}-{drapeau}", libelle=f"RES-{type_code}-{drapeau}")
        documents[(type_code, drapeau)] = doc
    return espace, pro, documents


@pytest.mark.parametrize(
    "cas",
    _cas(),
    ids=lambda c: f"{c.profession}-{c.etat}-{'tout_masque' if c.tout_masque else 'normal'}",
)
def test_a_professional_reaches_exactly_what_the_rules_allow_on_every_page(cas: Cas) -> None:
    espace, pro, documents = _installer(cas)
    client = client_pour(pro.utilisateur)
    ouvert = cas.etat in ETATS_OUVERTS

    liste = client.get(reverse("professionnels:patient", args=[espace.uuid]))
    assert liste.status_code == (200 if ouvert else 404)
    page = liste.content.decode() if ouvert else ""
    resultats = client.get(reverse("professionnels:resultats", args=[espace.uuid]))
    assert resultats.status_code == (200 if ouvert else 404)
    valeurs = resultats.content.decode() if ouvert else ""

    for (type_code, drapeau), doc in documents.items():
        permis = attendu(
            profession=cas.profession,
            etat=cas.etat,
            type_code=type_code,
            drapeau=drapeau,
            tout_masque=cas.tout_masque,
        )
        if ouvert:
            assert (doc.titre in page) is permis, (type_code, drapeau)
            assert (f"RES-{type_code}-{drapeau}<" in valeurs) is permis, (type_code, drapeau)
        analyse = empreinte_analyse(espace.pk, f"{type_code}-{drapeau}")
        tendance = client.get(
            reverse("professionnels:resultats_analyse", args=[espace.uuid, analyse])
        )
        assert tendance.status_code == (200 if permis else 404), (type_code, drapeau)
        arguments = [espace.uuid, doc.uuid]
        code = 200 if permis else 404
        assert client.get(reverse("professionnels:document", args=arguments)).status_code == code
        telechargement = client.get(reverse("professionnels:contenu", args=arguments))
        assert telechargement.status_code == code, (type_code, drapeau)
        if permis:
            assert b"".join(telechargement.streaming_content) == b"%PDF-1.4\n% document de test\n"
        apercu = client.get(reverse("professionnels:apercu", args=[*arguments, "miniature", 0]))
        assert apercu.status_code == code


@pytest.mark.parametrize("etat", ["autorise", "urgence", "medecin_traitant"])
def test_an_occupational_physician_reads_nothing_but_what_they_deposited(etat: str) -> None:
    """The matrix distinguishes specialties (docs/MATRICE.md): a médecin du travail with an
    authorisation reads no type at all — neither the documents nor the profile nor the
    results — while a médecin of another specialty in the same standing reads them all. Rule 4
    still yields to the author."""
    cas = Cas(MEDECIN, etat, False)
    espace, pro, documents = _installer(cas)
    pro.specialite = "SM25"
    pro.save()
    client = client_pour(pro.utilisateur)
    liste = client.get(reverse("professionnels:patient", args=[espace.uuid]))
    assert liste.status_code == 200
    page = liste.content.decode()
    valeurs = client.get(reverse("professionnels:resultats", args=[espace.uuid])).content.decode()
    for (type_code, drapeau), doc in documents.items():
        permis = drapeau == "de_l_auteur"
        assert (doc.titre in page) is permis, (type_code, drapeau)
        assert (f"RES-{type_code}-{drapeau}<" in valeurs) is permis, (type_code, drapeau)
        code = 200 if permis else 404
        for nom in ["professionnels:document", "professionnels:contenu"]:
            reponse = client.get(reverse(nom, args=[espace.uuid, doc.uuid]))
            assert reponse.status_code == code, (type_code, drapeau, nom)
        apercu = reverse("professionnels:apercu", args=[espace.uuid, doc.uuid, "miniature", 0])
        assert client.get(apercu).status_code == code
    assert client.get(reverse("professionnels:profil", args=[espace.uuid])).status_code == 404

    autre = ProfessionnelFactory(profession=MEDECIN, specialite="SM04")
    AccesProfessionnel.objects.create(espace=espace, professionnel=autre, autorise=True)
    acces = acces_professionnel(professionnel=autre, espace_uuid=espace.uuid)
    lus = {d.titre for d in documents_lisibles(acces=acces)}
    assert f"DOC-{PSY}-aucun" in lus and f"DOC-{DIRECTIVES}-aucun" in lus


def test_the_selectors_answer_like_the_pages() -> None:
    """The same rules at the query level, without HTTP: one case of each kind."""
    espace, pro, _documents = _installer(Cas(DENTISTE, "autorise", False))
    assert list(espaces_autorises(professionnel=pro)) == [espace]
    acces = acces_professionnel(professionnel=pro, espace_uuid=espace.uuid)
    lus = {(d.type_code, d.titre.rsplit("-", 1)[-1]) for d in documents_lisibles(acces=acces)}
    assert (DIRECTIVES, "aucun") not in lus
    assert (DIRECTIVES, "de_l_auteur") in lus
    assert (BIOLOGIE, "aucun") in lus
    assert (BIOLOGIE, "invisible_patient") in lus
    assert (BIOLOGIE, "masque_ps") not in lus


PATIENT_ATTENDU = {
    # flag: (holder sees, representative sees)
    "aucun": (True, True),
    "masque_ps": (True, True),
    "invisible_patient": (False, False),
    "invisible_representants": (True, False),
}


def test_the_holder_and_the_representative_read_what_section_3_says() -> None:
    enfant = RepresentationFactory().espace
    enfant.titulaire = EspaceFactory().titulaire.__class__.objects.create_user(
        email="ado@exemple.test", password="un-mot-de-passe-solide-42"
    )
    enfant.save()
    from allauth.mfa.totp.internal.auth import TOTP

    from ..factories import SECRET_TOTP

    TOTP.activate(enfant.titulaire, SECRET_TOTP)
    representant = enfant.representants.get().representant.titulaire
    docs = {
        drapeau: document(
            enfant, titre=f"DOC-{drapeau}", **({drapeau: True} if drapeau != "aucun" else {})
        )
        for drapeau in PATIENT_ATTENDU
    }
    for drapeau, doc in docs.items():
        resultat(doc, code=drapeau, libelle=f"RES-{drapeau}")
    for rang, client in enumerate([client_pour(enfant.titulaire), client_pour(representant)]):
        liste = client.get(reverse("dossier:documents", args=[enfant.uuid])).content.decode()
        valeurs = client.get(
            reverse("dossier:resultats:liste", args=[enfant.uuid])
        ).content.decode()
        for drapeau, doc in docs.items():
            voit = PATIENT_ATTENDU[drapeau][rang]
            assert (doc.titre in liste) is voit, (rang, drapeau)
            assert (f"RES-{drapeau}<" in valeurs) is voit, (rang, drapeau)
            analyse = empreinte_analyse(enfant.pk, drapeau)
            tendance = client.get(reverse("dossier:resultats:analyse", args=[enfant.uuid, analyse]))
            assert tendance.status_code == (200 if voit else 404), (rang, drapeau)
            for nom in ["dossier:document", "dossier:contenu"]:
                reponse = client.get(reverse(nom, args=[enfant.uuid, doc.uuid]))
                assert reponse.status_code == (200 if voit else 404), (rang, drapeau, nom)


def test_a_patient_cannot_reach_the_professional_pages_and_a_professional_not_the_patient_pages(
    titulaire, pro_autorise
) -> None:
    doc = document(titulaire)
    patient = client_pour(titulaire.titulaire)
    assert patient.get(reverse("professionnels:patient", args=[titulaire.uuid])).status_code == 404
    assert patient.get(reverse("professionnels:accueil")).status_code == 404
    pro = client_pour(pro_autorise.utilisateur)
    assert pro.get(reverse("dossier:documents", args=[titulaire.uuid])).status_code == 404
    assert pro.get(reverse("dossier:document", args=[titulaire.uuid, doc.uuid])).status_code == 404
    assert pro.get(reverse("ensemble:espace", args=[titulaire.uuid])).status_code == 404
    assert pro.get(reverse("professionnels:patient", args=[titulaire.uuid])).status_code == 200


def test_an_unverified_professional_reaches_no_patient(titulaire) -> None:
    pro = ProfessionnelFactory(statut="en_attente")
    AccesProfessionnel.objects.create(espace=titulaire, professionnel=pro, autorise=True)
    client = client_pour(pro.utilisateur)
    assert client.get(reverse("professionnels:accueil")).status_code == 200
    assert client.get(reverse("professionnels:patient", args=[titulaire.uuid])).status_code == 404


ENTREE_ATTENDUE = {
    # profile entry's flag: (holder sees, representative sees) — in the profile, on the entry's
    # page, and in the history (an event on it, even once the entry is deleted)
    "aucun": (True, True),
    "secret_mineur": (True, False),
}
HISTORIQUE_ATTENDU = {
    # document's flag: (holder reads events on it, representative reads them)
    "aucun": (True, True),
    "masque_ps": (True, True),
    "invisible_representants": (True, False),
}


def test_the_holder_and_the_representative_read_the_profile_and_the_history_section_3_allows(
    enfant_represente,
) -> None:  # type: ignore[no-untyped-def]
    from dossier import services as dossier_services
    from ensemble.historique import evenements_historique
    from espace_sante.journal.models import Action
    from profil import profil_medical
    from profil.models import Allergie

    from ..factories import UtilisateurFactory

    enfant = enfant_represente
    enfant.titulaire = UtilisateurFactory()
    enfant.save()
    representant = enfant.representants.get().representant.titulaire
    lecteurs = [enfant.titulaire, representant]
    du_mineur = espace_pour_acteur(utilisateur=enfant.titulaire, espace_uuid=enfant.uuid)
    entrees = {
        drapeau: Allergie.objects.create(
            espace=enfant, substance=f"SUBSTANCE-{drapeau}", secret_mineur=drapeau != "aucun"
        )
        for drapeau in ENTREE_ATTENDUE
    }
    docs = {
        drapeau: document(enfant, **({drapeau: True} if drapeau != "aucun" else {}))
        for drapeau in HISTORIQUE_ATTENDU
    }
    for doc in docs.values():
        dossier_services.document_consultation(
            acces=du_mineur, document=doc, action=Action.DOCUMENT_CONSULTE, ip=None
        )
    for rang, lecteur in enumerate(lecteurs):
        client = client_pour(lecteur)
        profil = client.get(reverse("profil:profil_medical", args=[enfant.uuid])).content.decode()
        for drapeau, entree in entrees.items():
            voit = ENTREE_ATTENDUE[drapeau][rang]
            assert (entree.substance in profil) is voit, (rang, drapeau)
            page = client.get(
                reverse("profil:profil_modifier", args=[enfant.uuid, "allergies", entree.uuid])
            )
            assert page.status_code == (200 if voit else 404), (rang, drapeau)
    for entree in entrees.values():  # the holder deletes both: only the events remain
        profil_medical.element_supprimer(
            acces=du_mineur, section=profil_medical.section("allergies"), element=entree, ip=None
        )
    for rang, lecteur in enumerate(lecteurs):
        acces = espace_pour_acteur(utilisateur=lecteur, espace_uuid=enfant.uuid)
        lus = set(
            evenements_historique(acces=acces, professionnels=False).values_list(
                "objet_id", flat=True
            )
        )
        for drapeau, entree in entrees.items():
            assert (str(entree.uuid) in lus) is ENTREE_ATTENDUE[drapeau][rang], (rang, drapeau)
        for drapeau, doc in docs.items():
            assert (str(doc.uuid) in lus) is HISTORIQUE_ATTENDU[drapeau][rang], (rang, drapeau)


# --- The rules that used to live elsewhere: one table each ----------------------------------------
#
# Which spaces the holder and representatives act for (it was raw SQL in profil/selectors.py),
# the parts of the profile reserved to adults (a view and a template), what a professional
# writes (a view), "grant active" and the emergency (three places), "is the author" (four),
# who marks a minor's secret, and who is told of a new document (it was dossier's ingestion job,
# reading professionnels' settings). Each expected answer is written from DESIGN.md §2–§6.

HIER = timezone.localdate() - timedelta(days=1)

ESPACES_ATTENDUS = {
    # situation: (acting as, on the pages that write (open space only); on the pages that read:
    # the home or closure page, documents, profile, history, export — a closed space stays
    # readable by its holder, espace_pour_lecture)
    "mon_espace_actif": ("titulaire", "titulaire"),
    "mon_espace_cloture": (None, "titulaire"),
    "mon_espace_cree": (None, None),
    "mineur_espace_cree": ("representant", "representant"),
    "mineur_espace_actif": ("representant", "representant"),
    "mineur_espace_cloture": (None, None),
    "representation_terminee": (None, None),
    "represente_devenu_majeur": (None, None),
    "mon_espace_pas_encore_actif": (None, None),
    "espace_d_un_autre": (None, None),
}


def _situation(nom: str):  # type: ignore[no-untyped-def]
    """The person, and the space the situation ``nom`` is about."""
    moi = EspaceFactory()
    statuts = {"actif": Statut.ACTIF, "cree": Statut.CREE, "cloture": Statut.CLOTURE}
    if nom.startswith("mon_espace_") and nom != "mon_espace_pas_encore_actif":
        moi.statut = statuts[nom.removeprefix("mon_espace_")]
        moi.save()
        return moi.titulaire, moi
    if nom == "espace_d_un_autre":
        return moi.titulaire, EspaceFactory()
    enfant = EspaceFactory(
        titulaire=None,
        date_naissance=date(2000, 1, 1) if nom == "represente_devenu_majeur" else date(2014, 6, 1),
        statut=statuts.get(nom.removeprefix("mineur_espace_"), Statut.ACTIF),
    )
    RepresentationFactory(
        espace=enfant, representant=moi, fin=HIER if nom == "representation_terminee" else None
    )
    if nom == "mon_espace_pas_encore_actif":
        moi.statut = Statut.CREE
        moi.save()
    return moi.titulaire, enfant


@pytest.mark.parametrize("situation", ESPACES_ATTENDUS)
def test_a_person_acts_for_exactly_the_spaces_section_2_allows(situation: str) -> None:
    utilisateur, espace = _situation(situation)
    sur_page_ouverte, sur_accueil = ESPACES_ATTENDUS[situation]
    for ouvert, attendu in [(True, sur_page_ouverte), (False, sur_accueil)]:
        if attendu is None:
            with pytest.raises(Http404):
                espace_pour_acteur(utilisateur=utilisateur, espace_uuid=espace.uuid, ouvert=ouvert)
        else:
            acces = espace_pour_acteur(
                utilisateur=utilisateur, espace_uuid=espace.uuid, ouvert=ouvert
            )
            assert acces.role == attendu
    possibles = {a.espace.uuid for a in espaces_accessibles(utilisateur=utilisateur)}
    assert (espace.uuid in possibles) is (sur_accueil is not None)
    if sur_accueil is None:
        with pytest.raises(Http404):
            espace_pour_lecture(utilisateur=utilisateur, espace_uuid=espace.uuid)
    else:
        assert espace_pour_lecture(utilisateur=utilisateur, espace_uuid=espace.uuid).role == (
            sur_accueil
        )
    client = client_pour(utilisateur)
    documents = client.get(reverse("dossier:documents", args=[espace.uuid]))
    assert documents.status_code == (200 if sur_accueil else 404)
    deposer = client.get(reverse("dossier:deposer", args=[espace.uuid]))
    assert deposer.status_code == (200 if sur_page_ouverte else 404)
    accueil = client.get(reverse("ensemble:espace", args=[espace.uuid]))
    assert accueil.status_code == (200 if sur_accueil else 404)


UNIQUES = ["directives", "personne_confiance", "don_organes", "habitudes"]
RESERVES_ATTENDUS = {
    # who: writes the directives, the personne de confiance and the position on organ donation
    # (habits: everyone who acts for the space)
    "titulaire_majeur": True,
    "titulaire_mineur": False,
    "representant": False,
}


@pytest.mark.parametrize("qui", RESERVES_ATTENDUS)
def test_the_parts_reserved_to_adults_are_the_adult_holder_s_alone(
    qui: str, enfant_represente
) -> None:  # type: ignore[no-untyped-def]
    from ..factories import UtilisateurFactory

    if qui == "titulaire_majeur":
        espace = EspaceFactory()
        utilisateur = espace.titulaire
    elif qui == "titulaire_mineur":
        espace = enfant_represente
        espace.titulaire = utilisateur = UtilisateurFactory()
        espace.save()
    else:
        espace = enfant_represente
        utilisateur = espace.representants.get().representant.titulaire
    majeur = RESERVES_ATTENDUS[qui]
    client = client_pour(utilisateur)
    for cle in UNIQUES:
        page = client.get(reverse("profil:profil_unique", args=[espace.uuid, cle]))
        assert page.status_code == (200 if majeur or cle == "habitudes" else 404), cle
    profil = client.get(reverse("profil:profil_medical", args=[espace.uuid])).content.decode()
    assert ('id="titre-directives"' in profil) is majeur
    assert ('id="titre-habitudes"' in profil) is True


SECTIONS_ECRITES = {
    # section: (the holder adds to it, a professional adds to it — shown as theirs)
    "allergies": (True, False),
    "traitements": (True, False),
    "antecedents": (True, False),
    "mesures": (True, True),
    "personnes_a_prevenir": (True, False),
    "vaccinations": (True, True),
}


def test_each_actor_adds_to_the_profile_sections_section_6_allows(titulaire, pro_autorise) -> None:  # type: ignore[no-untyped-def]
    from profil import profil_medical

    assert set(SECTIONS_ECRITES) == set(profil_medical.SECTIONS)
    patient = client_pour(titulaire.titulaire)
    pro = client_pour(pro_autorise.utilisateur)
    page_patient = patient.get(reverse("profil:profil_medical", args=[titulaire.uuid]))
    page_pro = pro.get(reverse("professionnels:profil", args=[titulaire.uuid]))
    for cle, (par_le_patient, par_le_pro) in SECTIONS_ECRITES.items():
        ajout_patient = reverse("profil:profil_ajouter", args=[titulaire.uuid, cle])
        ajout_pro = reverse("professionnels:profil_ajouter", args=[titulaire.uuid, cle])
        assert patient.get(ajout_patient).status_code == (200 if par_le_patient else 404), cle
        assert pro.get(ajout_pro).status_code == (200 if par_le_pro else 404), cle
        assert (ajout_patient in page_patient.content.decode()) is par_le_patient, cle
        assert (ajout_pro in page_pro.content.decode()) is par_le_pro, cle


MARQUES_ATTENDUES = {
    # (actor, space): (holds a deposit back from the patient, marks a minor's secret)
    ("titulaire", "majeur"): (False, False),
    ("representant", "mineur"): (False, False),
    ("professionnel", "majeur"): (True, False),
    ("professionnel", "mineur"): (True, True),
}


@pytest.mark.parametrize("cas", MARQUES_ATTENDUES, ids="-".join)
def test_only_a_professional_holds_back_and_only_on_a_minor_marks_a_secret(
    cas: tuple[str, str], enfant_represente, representant
) -> None:  # type: ignore[no-untyped-def]
    from espace_sante.acces import peut_cacher_au_patient, peut_marquer_secret
    from profil import profil_medical

    acteur, age = cas
    espace = enfant_represente if age == "mineur" else representant
    pro = None
    if acteur == "professionnel":
        pro = ProfessionnelFactory()
        AccesProfessionnel.objects.create(espace=espace, professionnel=pro, autorise=True)
        acces = acces_professionnel(professionnel=pro, espace_uuid=espace.uuid)
    else:
        acces = espace_pour_acteur(utilisateur=representant.titulaire, espace_uuid=espace.uuid)
        assert acces.role == acteur
    retient, marque = MARQUES_ATTENDUES[cas]
    assert (peut_cacher_au_patient(acces), peut_marquer_secret(acces)) == (retient, marque)
    section = profil_medical.section("vaccinations")
    formulaire = section.formulaire({"famille": "HPV", "date": "2026-01-10"}, espace=espace)
    assert formulaire.is_valid(), formulaire.errors
    entree = profil_medical.element_enregistrer(
        acces=acces, section=section, formulaire=formulaire, secret_mineur=True, ip=None
    )
    assert entree.secret_mineur is marque
    if pro is not None:
        client = client_pour(pro.utilisateur)
        depot = client.get(reverse("professionnels:deposer", args=[espace.uuid])).content.decode()
        assert ("Masqué aux représentants légaux" in depot) is marque
        assert "Invisible pour le patient" in depot
        ajout = reverse("professionnels:profil_ajouter", args=[espace.uuid, "vaccinations"])
        assert ("secret du mineur" in client.get(ajout).content.decode()) is marque


MOTIFS_ATTENDUS = {
    # grant state: why the professional may open the space (as the holder's page, the
    # professional's patients and the access itself say; rule 1 then decides for the latter)
    "aucun": set(),
    "autorise": {Motif.AUTORISATION},
    "expire": set(),
    "revoque": set(),
    "bloque": set(),
    "urgence": {Motif.URGENCE},
    "urgence_finie": set(),
    "urgence_refusee_par_patient": set(),
    "medecin_traitant": {Motif.MEDECIN_TRAITANT},
    "autorise_espace_cloture": {Motif.AUTORISATION},
    "autorise_pro_suspendu": {Motif.AUTORISATION},
}


@pytest.mark.parametrize("etat", ETATS)
def test_the_grant_and_the_emergency_read_alike_wherever_they_are_shown(etat: str) -> None:
    from professionnels.selectors import (
        patients_du_professionnel,
        professionnels_de_l_espace,
        urgences_en_cours,
    )

    assert set(MOTIFS_ATTENDUS) == set(ETATS)
    espace, pro = _etat(Cas(MEDECIN, etat, False))
    attendus, ouvert = MOTIFS_ATTENDUS[etat], etat in ETATS_OUVERTS
    lignes = {ligne.professionnel.pk: ligne for ligne in professionnels_de_l_espace(espace=espace)}
    assert (set(lignes[pro.pk].motifs) if pro.pk in lignes else set()) == attendus
    patients = {
        patient.espace.pk: patient for patient in patients_du_professionnel(professionnel=pro)
    }
    assert (espace.pk in patients) is ouvert
    assert espaces_autorises(professionnel=pro).filter(pk=espace.pk).exists() is ouvert
    if ouvert:
        assert set(patients[espace.pk].motifs) == attendus
        assert acces_professionnel(professionnel=pro, espace_uuid=espace.uuid).motifs == attendus
    else:
        with pytest.raises(Http404):
            acces_professionnel(professionnel=pro, espace_uuid=espace.uuid)
    assert bool(urgences_en_cours(professionnel=pro)) is (Motif.URGENCE in attendus)


AUTEURS_ATTENDUS = {
    # document: (this professional wrote it, the holder wrote it)
    "depose_par_ce_professionnel": (True, False),
    "retenu_par_ce_professionnel": (True, False),
    "depose_par_un_autre_professionnel": (False, False),
    "importe_du_dmp": (False, False),
    "depose_par_le_patient": (False, True),
    "depose_par_le_patient_sous_le_meme_compte": (False, True),
}


def test_the_author_replaces_and_releases_their_document_and_no_one_else(
    titulaire, pro_autorise
) -> None:  # type: ignore[no-untyped-def]
    from dossier.models import Source
    from espace_sante.acces import est_auteur

    pro_id, patient_id = str(pro_autorise.utilisateur.uuid), str(titulaire.titulaire.uuid)
    signatures: dict[str, dict[str, object]] = {
        "depose_par_ce_professionnel": {"auteur_id": pro_id},
        "retenu_par_ce_professionnel": {"auteur_id": pro_id, "invisible_patient": True},
        "depose_par_un_autre_professionnel": {"auteur_id": str(uuid.uuid4())},
        "importe_du_dmp": {"auteur_id": "", "source": Source.IMPORT_DMP},
        "depose_par_le_patient": {
            "auteur_type": "titulaire",
            "auteur_id": patient_id,
            "source": Source.PATIENT,
        },
        "depose_par_le_patient_sous_le_meme_compte": {
            "auteur_type": "titulaire",
            "auteur_id": pro_id,
            "source": Source.PATIENT,
        },
    }
    acces_pro = acces_professionnel(professionnel=pro_autorise, espace_uuid=titulaire.uuid)
    acces_patient = espace_pour_acteur(utilisateur=titulaire.titulaire, espace_uuid=titulaire.uuid)
    pro, patient = client_pour(pro_autorise.utilisateur), client_pour(titulaire.titulaire)
    for nom, (du_pro, du_patient) in AUTEURS_ATTENDUS.items():
        doc = document(titulaire, titre=nom, **signatures[nom])
        assert est_auteur(acces=acces_pro, document=doc) is du_pro, nom
        assert est_auteur(acces=acces_patient, document=doc) is du_patient, nom
        page_pro = pro.get(reverse("professionnels:document", args=[titulaire.uuid, doc.uuid]))
        html = page_pro.content.decode()
        assert ("Remplacer par une nouvelle version" in html) is du_pro, nom
        assert ("Rendre visible au patient" in html) is (du_pro and doc.invisible_patient), nom
        page_patient = patient.get(reverse("dossier:document", args=[titulaire.uuid, doc.uuid]))
        if doc.invisible_patient:
            assert page_patient.status_code == 404
        else:
            html = page_patient.content.decode()
            assert ("Remplacer par une nouvelle version" in html) is du_patient, nom


DESTINATAIRES_ATTENDUS = {
    # a document added to a space: who is told (the e-mail names no document) — the holder,
    # a minor's current representative
    "depose_par_un_professionnel": {"titulaire"},
    "importe_du_dmp": {"titulaire"},
    "depose_par_le_patient": set(),
    "retenu_pour_le_patient": set(),
    "le_titulaire_ne_veut_pas_etre_prevenu": set(),
    "mineur_depose_par_un_professionnel": {"titulaire", "representant"},
    "mineur_secret_du_mineur": {"titulaire"},
    "mineur_sans_compte": {"representant"},
    "mineur_sans_compte_secret_du_mineur": set(),
    "mineur_representation_terminee": {"titulaire"},
    "mineur_ne_veut_pas_etre_prevenu": set(),
}


@pytest.mark.parametrize("situation", DESTINATAIRES_ATTENDUS)
def test_who_is_told_of_a_new_document_follows_the_flags_of_section_3(situation: str) -> None:
    from dossier.models import Source
    from dossier.services import document_notifier
    from espace_sante.acces import destinataires_nouveau_document
    from espace_sante.comptes.models import Notification

    from ..factories import UtilisateurFactory

    mineur = situation.startswith("mineur_")
    espace = EspaceFactory(date_naissance=date(2014, 6, 1)) if mineur else EspaceFactory()
    personnes = {"titulaire": espace.titulaire}
    if mineur:
        if "sans_compte" in situation:
            espace.titulaire = None
            espace.save()
            del personnes["titulaire"]
        parent = RepresentationFactory(
            espace=espace,
            representant=EspaceFactory(titulaire=UtilisateurFactory()),
            fin=HIER if situation.endswith("representation_terminee") else None,
        )
        personnes["representant"] = parent.representant.titulaire
    if situation.endswith("ne_veut_pas_etre_prevenu"):
        ReglagesAcces.objects.create(espace=espace, notifier_nouveau_document=False)
    champs: dict[str, object] = {
        "depose_par_le_patient": {"source": Source.PATIENT, "auteur_type": "titulaire"},
        "importe_du_dmp": {"source": Source.IMPORT_DMP, "auteur_id": ""},
        "retenu_pour_le_patient": {"invisible_patient": True},
    }.get(situation, {"invisible_representants": True} if "secret" in situation else {})
    doc = document(espace, **champs)
    attendus = {personnes[qui] for qui in DESTINATAIRES_ATTENDUS[situation]}
    assert set(destinataires_nouveau_document(doc)) == attendus
    document_notifier(doc)
    assert {n.destinataire for n in Notification.objects.all()} == attendus
