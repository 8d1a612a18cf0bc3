"""Services of the professionals' app, against the database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from espace_sante.acces import (
    AccesPatient,
    Role,
    acces_professionnel,
    documents_lisibles,
    espaces_autorises,
    peut_lire_type,
)
from espace_sante.comptes.models import Utilisateur
from espace_sante.journal.models import Action, Evenement
from espace_sante.journal.services import journal_verifier
from professionnels import consultations, services
from professionnels.models import (
    AccesProfessionnel,
    BrisDeGlace,
    Habilitation,
    Professionnel,
    StatutProfessionnel,
)

from ..factories import ProfessionnelFactory, document, rpps

pytestmark = pytest.mark.django_db


def _acces(espace) -> AccesPatient:  # type: ignore[no-untyped-def]
    return AccesPatient(espace=espace, role=Role.TITULAIRE, utilisateur=espace.titulaire)


def _inscrire(**champs: object) -> Professionnel:
    valeurs: dict[str, object] = {
        "email": "dr.nouveau@exemple.test",
        "mot_de_passe": "un-mot-de-passe-solide-42",
        "prenom": "Ana",
        "nom": "Lopez",
        "rpps": rpps(4242),
        "profession": "10",
        "specialite": "SM04",
        "lieu_nom": "Cabinet",
        "lieu_code_postal": "69003",
        "lieu_ville": "Lyon",
    }
    valeurs.update(champs)
    return services.professionnel_inscrire(**valeurs)  # type: ignore[arg-type]


def test_sign_up_creates_a_professional_waiting_for_verification() -> None:
    pro = _inscrire()
    assert pro.statut == StatutProfessionnel.EN_ATTENTE
    assert pro.nom_affiche.startswith("Dr ") and "LOPEZ" in pro.nom_affiche
    assert pro.qualite == "médecin — cardiologie et maladies vasculaires"
    assert list(espaces_autorises(professionnel=pro)) == []
    assert Evenement.objects.filter(action=Action.PRO_INSCRIPTION).count() == 1


@pytest.mark.parametrize(
    ("champs", "message"),
    [
        ({"rpps": "12345678901"}, "clé"),
        ({"rpps": "1234"}, "11 chiffres"),
        ({"profession": "99"}, "profession"),
        ({"specialite": ""}, "spécialité"),
        ({"lieu_code_postal": "7500"}, "code postal"),
    ],
)
def test_sign_up_refuses_bad_input_and_keeps_nothing(champs: dict, message: str) -> None:
    with pytest.raises(services.Refus, match=message):
        _inscrire(**champs)
    assert not Utilisateur.objects.filter(email="dr.nouveau@exemple.test").exists()
    assert not Professionnel.objects.exists()


def test_a_second_account_for_the_same_rpps_is_not_created_but_kept_as_a_claim() -> None:
    premier = _inscrire()
    assert _inscrire(email="autre@exemple.test") is None
    assert Professionnel.objects.count() == 1
    assert not Utilisateur.objects.filter(email="autre@exemple.test").exists()
    assert premier is not None and premier.revendications.get().email == "autre@exemple.test"


def test_verification_by_an_operator_is_journaled_and_tells_the_professional(
    operateur, django_capture_on_commit_callbacks
) -> None:
    pro = _inscrire()
    with django_capture_on_commit_callbacks(execute=True):
        services.professionnel_statuer(
            operateur=operateur, professionnel=pro, statut=StatutProfessionnel.VERIFIE
        )
    pro.refresh_from_db()
    assert pro.statut == StatutProfessionnel.VERIFIE and pro.verifie_par == operateur
    assert Evenement.objects.filter(action=Action.PRO_VERIFIE, acteur_type="operateur").exists()
    assert [m.to for m in mail.outbox] == [["dr.nouveau@exemple.test"]]
    assert "vérifié" in mail.outbox[0].body


def test_granting_with_an_end_date_then_the_access_expires(titulaire, pro_non_autorise) -> None:
    demain = timezone.localdate() + timedelta(days=1)
    lien = services.acces_accorder(
        acces=_acces(titulaire), professionnel=pro_non_autorise, jusqu_au=demain
    )
    assert list(espaces_autorises(professionnel=pro_non_autorise)) == [titulaire]
    assert lien.expire_le is not None
    plus_tard = lien.expire_le + timedelta(seconds=1)
    assert list(espaces_autorises(professionnel=pro_non_autorise, maintenant=plus_tard)) == []
    evenement = Evenement.objects.get(action=Action.ACCES_ACCORDE)
    assert evenement.details["jusqu_au"] == demain.isoformat()
    assert list(journal_verifier(chaines=[str(titulaire.uuid)])) == []


def test_granting_refuses_an_unverified_professional_a_past_date_and_a_blocked_one(
    titulaire, pro_bloque
) -> None:
    en_attente = ProfessionnelFactory(statut="en_attente")
    with pytest.raises(services.Refus, match="vérifié"):
        services.acces_accorder(acces=_acces(titulaire), professionnel=en_attente)
    with pytest.raises(services.Refus, match="passée"):
        services.acces_accorder(
            acces=_acces(titulaire),
            professionnel=ProfessionnelFactory(),
            jusqu_au=date(2020, 1, 1),
        )
    with pytest.raises(services.Refus, match="bloqué"):
        services.acces_accorder(acces=_acces(titulaire), professionnel=pro_bloque)
    assert not AccesProfessionnel.objects.filter(autorise=True).exists()


def test_revoking_ends_the_grant_and_a_running_emergency(titulaire, pro_autorise) -> None:
    BrisDeGlace.objects.create(
        espace=titulaire,
        professionnel=pro_autorise,
        mode="bris_de_glace",
        motif="malaise en pharmacie",
        fin=timezone.now() + timedelta(hours=2),
    )
    services.acces_revoquer(acces=_acces(titulaire), professionnel=pro_autorise)
    assert list(espaces_autorises(professionnel=pro_autorise)) == []
    assert not BrisDeGlace.objects.filter(fin__gt=timezone.now()).exists()


def test_the_medecin_traitant_cannot_be_blocked_and_there_is_only_one(titulaire) -> None:
    premier, second = ProfessionnelFactory(), ProfessionnelFactory()
    services.medecin_traitant_designer(acces=_acces(titulaire), professionnel=premier)
    with pytest.raises(services.Refus, match="médecin traitant"):
        services.professionnel_bloquer(acces=_acces(titulaire), professionnel=premier)
    services.medecin_traitant_designer(acces=_acces(titulaire), professionnel=second)
    assert list(
        AccesProfessionnel.objects.filter(medecin_traitant=True).values_list(
            "professionnel", flat=True
        )
    ) == [second.pk]
    assert list(espaces_autorises(professionnel=premier)) == []
    assert list(espaces_autorises(professionnel=second)) == [titulaire]
    services.professionnel_bloquer(acces=_acces(titulaire), professionnel=premier)
    pharmacien = ProfessionnelFactory(profession="21")
    with pytest.raises(services.Refus, match="médecin"):
        services.medecin_traitant_designer(acces=_acces(titulaire), professionnel=pharmacien)


def test_blocking_withdraws_the_grant_and_forbids_emergencies(titulaire, pro_autorise) -> None:
    services.professionnel_bloquer(acces=_acces(titulaire), professionnel=pro_autorise)
    assert list(espaces_autorises(professionnel=pro_autorise)) == []
    with pytest.raises(services.Refus, match="pas possible"):
        consultations.urgence_ouvrir(
            professionnel=pro_autorise,
            espace=titulaire,
            mode="bris_de_glace",
            motif="patient inconscient aux urgences",
        )
    assert not BrisDeGlace.objects.exists()
    assert Evenement.objects.filter(action=Action.URGENCE_REFUSEE).count() == 1
    services.professionnel_debloquer(acces=_acces(titulaire), professionnel=pro_autorise)
    assert list(espaces_autorises(professionnel=pro_autorise)) == []  # unblocking grants nothing


def test_a_matrix_change_is_journaled_and_applies_at_once(titulaire, operateur) -> None:
    pharmacien = ProfessionnelFactory(profession="21")
    AccesProfessionnel.objects.create(espace=titulaire, professionnel=pharmacien, autorise=True)
    imagerie = document(titulaire, type_code="18748-4", titre="IRM du genou")
    acces = acces_professionnel(professionnel=pharmacien, espace_uuid=titulaire.uuid)
    assert imagerie not in documents_lisibles(acces=acces)
    cellule = Habilitation.objects.get(profession="21", type_code="18748-4")
    services.habilitation_modifier(operateur=operateur, habilitation=cellule, lecture=True)
    # The next request (a new access, which reads the matrix once) sees the change.
    acces = acces_professionnel(professionnel=pharmacien, espace_uuid=titulaire.uuid)
    assert imagerie in documents_lisibles(acces=acces)
    assert peut_lire_type(profession="21", type_code="18748-4")
    evenement = Evenement.objects.get(action=Action.MATRICE_MODIFIEE)
    assert evenement.details == {
        "profession": "21",
        "type": "18748-4",
        "avant": False,
        "apres": True,
    }


def test_the_seeded_matrix_follows_the_known_national_rules() -> None:
    def lit(profession: str, code: str) -> bool:
        return peut_lire_type(profession=profession, type_code=code)

    assert all(lit("10", code) for code in ["EXPPAT_3", "68599-0", "15508-5", "TYPE-INCONNU"])
    assert not any(lit("40", code) for code in ["EXPPAT_3", "68599-0", "83901-9"])
    assert not lit("80", "15508-5")
    assert all(lit("21", c) for c in ["57833-6", "60593-1", "11502-2", "87273-9", "60591-5"])
    assert not lit("21", "18748-4") and not lit("21", "TYPE-INCONNU")


def test_a_representative_decides_for_a_minor(enfant_represente, representant) -> None:
    acces = AccesPatient(
        espace=enfant_represente, role=Role.REPRESENTANT, utilisateur=representant.titulaire
    )
    pro = ProfessionnelFactory()
    services.acces_accorder(acces=acces, professionnel=pro)
    assert list(espaces_autorises(professionnel=pro)) == [enfant_represente]
    evenement = Evenement.objects.get(action=Action.ACCES_ACCORDE)
    assert evenement.acteur_type == "representant"


def test_a_suspended_professional_loses_every_access(titulaire, pro_autorise, operateur) -> None:
    services.professionnel_statuer(
        operateur=operateur, professionnel=pro_autorise, statut=StatutProfessionnel.SUSPENDU
    )
    pro_autorise.refresh_from_db()
    assert list(espaces_autorises(professionnel=pro_autorise)) == []
