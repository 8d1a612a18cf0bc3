"""The access policy, table-driven (issue 5, point 4): professions × grant states × document
types × visibility flags, checked through every page that serves a document — the
professional's list, the document page, the download and the preview — and through the
patient's and the representative's pages for the patient-side flags.

The expected answer of each case is written from DESIGN.md §4 in ``attendu`` below, apart
from the code under test."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dossier.models import Apercu, ReglagesDossier
from espace_sante.acces import acces_professionnel, documents_lisibles, espaces_autorises
from espace_sante.coffre.services import blob_ecrire_octets
from professionnels.models import AccesProfessionnel, BrisDeGlace, ReglagesAcces
from profil.models import Statut

from ..conftest import client_pour
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


def _installer(cas: Cas):  # type: ignore[no-untyped-def]
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
        arguments = [espace.uuid, doc.uuid]
        code = 200 if permis else 404
        assert client.get(reverse("professionnels:document", args=arguments)).status_code == code
        telechargement = client.get(reverse("professionnels:contenu", args=arguments))
        assert telechargement.status_code == code, (type_code, drapeau)
        if permis:
            assert b"".join(telechargement.streaming_content) == b"%PDF-1.4\n% document de test\n"
        apercu = client.get(reverse("professionnels:apercu", args=[*arguments, "miniature", 0]))
        assert apercu.status_code == code


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
    for rang, client in enumerate([client_pour(enfant.titulaire), client_pour(representant)]):
        liste = client.get(reverse("dossier:documents", args=[enfant.uuid])).content.decode()
        for drapeau, doc in docs.items():
            voit = PATIENT_ATTENDU[drapeau][rang]
            assert (doc.titre in liste) is voit, (rang, drapeau)
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
    assert pro.get(reverse("profil:espace", args=[titulaire.uuid])).status_code == 404
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
    from espace_sante.acces import espace_pour_acteur
    from espace_sante.journal.models import Action
    from profil import profil_medical
    from profil.historique import evenements_historique
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
