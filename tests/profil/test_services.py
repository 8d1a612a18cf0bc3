from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from espace_sante.acces import espace_pour_acteur, espaces_accessibles
from espace_sante.comptes.models import Notification, Utilisateur
from espace_sante.journal.models import Action, Evenement
from espace_sante.journal.services import Acteur, journal_verifier
from profil import representations, services
from profil.models import CodeActivation, Espace, Representation, Statut

from ..factories import EspaceFactory, RepresentationFactory, nir

pytestmark = pytest.mark.django_db

NAISSANCE = date(1990, 4, 12)
OPERATEUR = Acteur(type="operateur", id="op", nom="Olivia")


def _identite(rang: int = 1, **changes: object) -> services.Identite:
    valeurs: dict[str, object] = {
        "ins": nir("F", NAISSANCE, rang),
        "nom_naissance": "lefèvre",
        "prenoms": "  Jeanne   Marie ",
        "date_naissance": NAISSANCE,
        "sexe": "F",
    }
    valeurs.update(changes)
    return services.Identite(**valeurs)  # type: ignore[arg-type]


def _precreer(rang: int = 1, **changes: object) -> tuple[Espace, str]:
    return services.espace_precreer(acteur=OPERATEUR, identite=_identite(rang, **changes))


def _actions(espace: Espace) -> list[str]:
    return list(
        Evenement.objects.filter(espace_uuid=espace.uuid)
        .order_by("rang")
        .values_list("action", flat=True)
    )


# --- Pre-creation ------------------------------------------------------------------------------


def test_pre_creation_normalises_identity_and_journals_it() -> None:
    espace, code = _precreer()
    assert espace.statut == Statut.CREE
    assert espace.nom_naissance == "LEFÈVRE"
    assert espace.prenoms == "Jeanne Marie"
    assert len(code) == 14 and code.count("-") == 2
    assert _actions(espace) == [Action.PRECREATION, Action.CODE_EMIS]
    code_stocke = CodeActivation.objects.get(espace=espace)
    assert code not in code_stocke.code_hash
    assert code_stocke.expire_le - code_stocke.cree_le == timedelta(weeks=6)


@pytest.mark.parametrize(
    ("changes", "champ"),
    [
        ({"date_naissance": date(1991, 4, 12)}, "date_naissance"),
        ({"sexe": "M"}, "sexe"),
        ({"nom_naissance": " "}, "nom_naissance"),
        ({"ins_oid": "1.2.3"}, "ins_oid"),
        ({"date_naissance": date(2999, 1, 1)}, "date_naissance"),
    ],
)
def test_pre_creation_refuses_inconsistent_identities(changes: dict, champ: str) -> None:
    with pytest.raises(ValidationError) as erreur:
        _precreer(**changes)
    assert champ in erreur.value.message_dict
    assert not Espace.objects.exists()


def test_pre_creation_refuses_a_wrong_ins_key() -> None:
    ins = nir("F", NAISSANCE, 1)
    faux = ins[:13] + f"{(int(ins[13:]) % 97) + 1:02d}"
    with pytest.raises(ValidationError, match="clé"):
        _precreer(ins=faux)
    assert not Espace.objects.exists()


def test_pre_creation_refuses_a_duplicate_and_an_opposed_person() -> None:
    espace, _ = _precreer()
    with pytest.raises(services.Refus, match="existe déjà"):
        _precreer()
    services.espace_opposer(espace=espace, code=None, acteur=OPERATEUR)
    with pytest.raises(services.Refus, match="opposée"):
        _precreer()
    assert Espace.objects.count() == 1


# --- Activation ----------------------------------------------------------------------------------


def test_the_right_code_activates_the_space(django_capture_on_commit_callbacks) -> None:
    espace, code = _precreer()
    verifie, code_actif = services.espace_activation_verifier(
        ins=espace.ins, date_naissance=NAISSANCE, code=code.lower().replace("-", " ")
    )
    assert verifie == espace
    with django_capture_on_commit_callbacks(execute=True):
        utilisateur = services.espace_activer(
            espace=espace, code=code_actif, email="jeanne@exemple.test", password="x-solide-123456"
        )
    espace.refresh_from_db()
    assert espace.statut == Statut.ACTIF and espace.titulaire == utilisateur
    assert utilisateur.check_password("x-solide-123456")
    assert CodeActivation.objects.get(pk=code_actif.pk).utilise_le is not None
    assert _actions(espace)[-1] == Action.ACTIVATION
    notification = Notification.objects.get(destinataire=utilisateur)
    assert notification.envoyee_le is not None
    assert len(mail.outbox) == 1 and code not in mail.outbox[0].body
    with pytest.raises(services.Refus):
        services.espace_activation_verifier(ins=espace.ins, date_naissance=NAISSANCE, code=code)


@pytest.mark.parametrize(("erreur", "compte"), [("code", 1), ("date", 0)])
def test_a_wrong_try_is_journaled_counted_with_the_right_birth_date_and_changes_nothing_else(
    erreur: str, compte: int
) -> None:
    espace, code = _precreer()
    with pytest.raises(services.Refus, match="incorrect"):
        services.espace_activation_verifier(
            ins=espace.ins,
            date_naissance=NAISSANCE + timedelta(days=1) if erreur == "date" else NAISSANCE,
            code="AAAA-BBBB-CCCC" if erreur == "code" else code,
        )
    espace.refresh_from_db()
    assert espace.statut == Statut.CREE and espace.titulaire is None
    assert CodeActivation.objects.get(espace=espace).essais_echoues == compte
    assert _actions(espace)[-1] == Action.ACTIVATION_ECHEC
    assert not Utilisateur.objects.exists()


def test_the_code_of_one_space_does_not_open_another() -> None:
    premier, code_premier = _precreer(1)
    second, _ = _precreer(2)
    with pytest.raises(services.Refus):
        services.espace_activation_verifier(
            ins=second.ins, date_naissance=NAISSANCE, code=code_premier
        )
    assert CodeActivation.objects.get(espace=second).essais_echoues == 1
    assert CodeActivation.objects.get(espace=premier).essais_echoues == 0


def test_an_unknown_ins_gets_the_same_message_and_is_journaled_without_the_ins() -> None:
    ins = nir("M", NAISSANCE, 77)
    with pytest.raises(services.Refus, match="incorrect"):
        services.espace_activation_verifier(ins=ins, date_naissance=NAISSANCE, code="AAAA")
    evenement = Evenement.objects.get()
    assert evenement.action == Action.ACTIVATION_ECHEC
    assert ins not in str(evenement.details) and evenement.espace_uuid is None


def test_five_wrong_tries_lock_the_code_even_for_the_right_one() -> None:
    espace, code = _precreer()
    for _ in range(5):
        with pytest.raises(services.Refus) as refus:
            services.espace_activation_verifier(ins=espace.ins, date_naissance=NAISSANCE, code="X")
        assert refus.value.code == "refus"
    with pytest.raises(services.Refus) as refus:
        services.espace_activation_verifier(ins=espace.ins, date_naissance=NAISSANCE, code=code)
    assert refus.value.code == "verrouille"
    assert Action.ACTIVATION_VERROUILLEE in _actions(espace)
    assert Espace.objects.get(pk=espace.pk).statut == Statut.CREE
    nouveau = services.code_activation_renouveler(espace=espace, acteur=OPERATEUR)
    services.espace_activation_verifier(ins=espace.ins, date_naissance=NAISSANCE, code=nouveau)


def test_an_expired_code_is_refused_with_its_own_message() -> None:
    espace, code = _precreer()
    CodeActivation.objects.filter(espace=espace).update(
        expire_le=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(services.Refus, match="expiré"):
        services.espace_activation_verifier(ins=espace.ins, date_naissance=NAISSANCE, code=code)


def test_a_minor_cannot_activate_their_own_space() -> None:
    naissance = timezone.localdate() - timedelta(days=365 * 10)
    espace, code = _precreer(ins=nir("F", naissance, 3), date_naissance=naissance)
    with pytest.raises(services.Refus, match="représentant légal"):
        services.espace_activation_verifier(ins=espace.ins, date_naissance=naissance, code=code)


def test_an_email_already_used_is_refused_at_activation() -> None:
    EspaceFactory(titulaire__email="pris@exemple.test")
    espace, code = _precreer()
    _espace, code_actif = services.espace_activation_verifier(
        ins=espace.ins, date_naissance=NAISSANCE, code=code
    )
    with pytest.raises(services.Refus, match="adresse"):
        services.espace_activer(
            espace=espace, code=code_actif, email="PRIS@exemple.test", password="x-solide-123456"
        )
    assert Espace.objects.get(pk=espace.pk).statut == Statut.CREE


# --- Opposition ----------------------------------------------------------------------------------


def test_opposition_keeps_nothing_and_can_be_lifted_later() -> None:
    parent = EspaceFactory()
    naissance = timezone.localdate() - timedelta(days=365 * 5)
    enfant, _ = services.espace_precreer(
        acteur=OPERATEUR,
        identite=_identite(ins=nir("F", naissance, 9), date_naissance=naissance),
        representants=[parent],
    )
    services.espace_opposer(espace=enfant, code=None, acteur=OPERATEUR)
    enfant.refresh_from_db()
    assert enfant.statut == Statut.OPPOSE
    assert not enfant.codes.filter(revoque_le__isnull=True, utilise_le__isnull=True).exists()
    assert not Representation.objects.filter(espace=enfant, fin__isnull=True).exists()
    code = services.espace_lever_opposition(espace=enfant, acteur=OPERATEUR)
    enfant.refresh_from_db()
    assert enfant.statut == Statut.CREE
    assert code and Action.OPPOSITION_LEVEE in _actions(enfant)


def test_an_active_space_cannot_be_opposed() -> None:
    espace = EspaceFactory()
    with pytest.raises(services.Refus):
        services.espace_opposer(espace=espace, code=None, acteur=OPERATEUR)


# --- Closure, re-opening, death, suspension ------------------------------------------------------


def test_closure_archives_for_ten_years_and_reopening_restores() -> None:
    espace = EspaceFactory()
    acteur = Acteur.pour_utilisateur(espace.titulaire, "titulaire")
    services.espace_cloturer(espace=espace, acteur=acteur, demande_suppression=True)
    espace.refresh_from_db()
    aujourd_hui = timezone.localdate()
    assert espace.statut == Statut.CLOTURE
    assert espace.purge_apres == aujourd_hui.replace(year=aujourd_hui.year + 10)
    assert espace.suppression_avant == aujourd_hui + timedelta(days=90)
    assert _actions(espace)[-2:] == [Action.CLOTURE, Action.SUPPRESSION_DEMANDEE]
    with pytest.raises(services.Refus):
        services.espace_cloturer(espace=espace, acteur=acteur)
    services.espace_rouvrir(espace=espace, acteur=acteur)
    espace.refresh_from_db()
    assert espace.statut == Statut.ACTIF
    assert espace.purge_apres is None and espace.suppression_demandee_le is None


def test_death_closes_the_space_and_ends_representations() -> None:
    representation = RepresentationFactory()
    parent = representation.representant
    services.espace_enregistrer_deces(
        espace=parent, date_deces=timezone.localdate(), acteur=OPERATEUR
    )
    parent.refresh_from_db()
    representation.refresh_from_db()
    assert parent.statut == Statut.DECEDE and parent.purge_apres is not None
    assert representation.fin == timezone.localdate() and representation.motif_fin == "décès"
    with pytest.raises(services.Refus):
        services.espace_rouvrir(espace=parent, acteur=OPERATEUR)
    with pytest.raises(services.Refus, match="entre la naissance"):
        services.espace_enregistrer_deces(
            espace=EspaceFactory(), date_deces=date(1900, 1, 1), acteur=OPERATEUR
        )


def test_suspension_needs_a_reason_and_restores_the_previous_status() -> None:
    espace = EspaceFactory()
    with pytest.raises(services.Refus, match="motif"):
        services.espace_suspendre(espace=espace, motif=" ", acteur=OPERATEUR)
    services.espace_suspendre(espace=espace, motif="Fraude présumée", acteur=OPERATEUR)
    espace.refresh_from_db()
    assert espace.statut == Statut.SUSPENDU
    with pytest.raises(Http404):  # the holder no longer reaches it
        espace_pour_acteur(utilisateur=espace.titulaire, espace_uuid=espace.uuid)
    services.espace_lever_suspension(espace=espace, acteur=OPERATEUR)
    espace.refresh_from_db()
    assert espace.statut == Statut.ACTIF


# --- Proches ------------------------------------------------------------------------------------


def test_representation_ends_at_majority_in_queries_and_in_the_journal() -> None:
    aujourd_hui = timezone.localdate()
    anniversaire = aujourd_hui.replace(year=aujourd_hui.year - 18)
    representation = RepresentationFactory(espace__date_naissance=anniversaire + timedelta(days=1))
    parent = representation.representant.titulaire
    assert [a.espace for a in espaces_accessibles(utilisateur=parent)][-1] == representation.espace
    assert representations.representations_terminer_majorite(aujourd_hui=aujourd_hui) == 0

    demain = aujourd_hui + timedelta(days=1)
    assert representations.representations_terminer_majorite(aujourd_hui=demain) == 1
    assert representations.representations_terminer_majorite(aujourd_hui=demain) == 0
    representation.refresh_from_db()
    assert representation.fin == demain and representation.motif_fin == "majorité"
    assert Action.REPRESENTATION_TERMINEE in _actions(representation.espace)
    assert Notification.objects.filter(destinataire=parent).exists()


def test_an_adult_cannot_be_represented_and_a_minor_cannot_represent() -> None:
    adulte, mineur = EspaceFactory(), EspaceFactory(date_naissance=date(2020, 1, 1))
    with pytest.raises(services.Refus, match="mineur"):
        representations.representation_ajouter(
            espace=adulte, representant=EspaceFactory(), lien="parent", acteur=OPERATEUR
        )
    with pytest.raises(services.Refus, match="majeur"):
        representations.representation_ajouter(
            espace=EspaceFactory(date_naissance=date(2019, 1, 1)),
            representant=mineur,
            lien="parent",
            acteur=OPERATEUR,
        )


def test_a_representative_activates_a_minor_space() -> None:
    representation = RepresentationFactory(espace__statut=Statut.CREE)
    services.espace_activer_pour_mineur(
        espace=representation.espace, representant=representation.representant.titulaire
    )
    representation.espace.refresh_from_db()
    assert representation.espace.statut == Statut.ACTIF
    assert representation.espace.titulaire is None


# --- Purge ------------------------------------------------------------------------------------


def test_purge_deletes_after_the_grace_period_and_after_ten_years() -> None:
    demande = EspaceFactory()
    archive = EspaceFactory()
    garde = EspaceFactory()
    for espace in (demande, archive, garde):
        services.espace_cloturer(
            espace=espace, acteur=OPERATEUR, demande_suppression=espace is demande
        )
    assert services.espaces_purger_echus() == 0
    Espace.objects.filter(pk=demande.pk).update(
        suppression_demandee_le=timezone.now() - timedelta(days=31)
    )
    Espace.objects.filter(pk=archive.pk).update(purge_apres=timezone.localdate())
    assert services.espaces_purger_echus() == 2
    assert list(Espace.objects.all()) == [garde]
    assert not Utilisateur.objects.filter(pk=demande.titulaire_id).exists()
    assert Evenement.objects.filter(espace_uuid=demande.uuid, action=Action.PURGE).exists()
    assert list(journal_verifier()) == []
