"""The messagerie's reads (issue 18, points 2 and 7): unread counts per reader, filters, read
receipts, and a fixed number of statements whatever the number of threads and messages."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from espace_sante.acces import acces_professionnel, espace_pour_acteur
from espace_sante.acces.messagerie import acces_fil, fil_pour_acces
from messagerie import selectors, services
from messagerie.selectors import Filtres
from professionnels.models import AccesProfessionnel

from ..factories import ProfessionnelFactory
from .outils import fichier

pytestmark = pytest.mark.django_db


def _patient(espace):  # type: ignore[no-untyped-def]
    return espace_pour_acteur(utilisateur=espace.titulaire, espace_uuid=espace.uuid)


def _fil_du_pro(pro, espace, sujet="Objet", **kw):  # type: ignore[no-untyped-def]
    acces = acces_professionnel(professionnel=pro, espace_uuid=espace.uuid)
    return services.fil_ouvrir_professionnel(acces=acces, sujet=sujet, corps="Bonjour", **kw)


def test_non_lus_par_lecteur_et_accuses(titulaire, pro_autorise):
    fil = _fil_du_pro(pro_autorise, titulaire)
    cote_pro = acces_fil(utilisateur=pro_autorise.utilisateur, fil_uuid=fil.uuid)
    services.message_repondre(acces=cote_pro, corps="Un second message")
    acces = _patient(titulaire)
    (ligne,) = selectors.boite_patient(acces)
    assert ligne.non_lus == 2 and not ligne.avec_pieces and not ligne.archive_moi
    assert selectors.non_lus_utilisateur(titulaire.titulaire) == 2
    assert selectors.non_lus_espace(acces) == 2
    assert selectors.non_lus_professionnel(pro_autorise) == 0
    assert selectors.boite_professionnel(pro_autorise).get().non_lus == 0
    cote_patient = fil_pour_acces(acces=acces, fil_uuid=fil.uuid)
    assert selectors.accuses(cote_pro) == []
    services.fil_lire(acces=cote_patient)
    assert selectors.boite_patient(acces).get().non_lus == 0
    assert selectors.non_lus_utilisateur(titulaire.titulaire) == 0
    (accuse,) = selectors.accuses(cote_pro)
    assert accuse.nom == titulaire.titulaire.nom_affiche
    services.message_repondre(acces=cote_patient, corps="Merci", fichiers=[fichier()])
    assert selectors.non_lus_professionnel(pro_autorise) == 1
    ligne = selectors.boite_professionnel(pro_autorise).get()
    assert ligne.non_lus == 1 and ligne.avec_pieces
    assert [m.corps for m in selectors.messages_du_fil(cote_pro)] == [
        "Bonjour",
        "Un second message",
        "Merci",
    ]


def test_filtres_et_archives(titulaire, pro_autorise):
    autre = ProfessionnelFactory(utilisateur__nom="ROUX")
    AccesProfessionnel.objects.create(espace=titulaire, professionnel=autre, autorise=True)
    premier = _fil_du_pro(pro_autorise, titulaire, sujet="Premier", fichiers=[fichier()])
    second = _fil_du_pro(autre, titulaire, sujet="Second")
    acces = _patient(titulaire)
    assert list(selectors.boite_patient(acces)) == [second, premier]  # latest first
    assert list(selectors.boite_patient(acces, Filtres(avec_pieces=True))) == [premier]
    assert list(selectors.boite_patient(acces, Filtres(professionnel=autre))) == [second]
    services.fil_lire(acces=fil_pour_acces(acces=acces, fil_uuid=second.uuid))
    assert list(selectors.boite_patient(acces, Filtres(non_lus=True))) == [premier]
    services.fil_ranger(acces=fil_pour_acces(acces=acces, fil_uuid=premier.uuid), archive=True)
    assert list(selectors.boite_patient(acces)) == [second]
    assert list(selectors.boite_patient(acces, Filtres(archives=True))) == [premier]
    services.fil_ranger(acces=fil_pour_acces(acces=acces, fil_uuid=second.uuid), supprime=True)
    assert list(selectors.boite_patient(acces)) == []
    # The professionals keep theirs.
    assert list(selectors.boite_professionnel(autre)) == [second]
    assert list(
        selectors.boite_professionnel(pro_autorise, Filtres(espace_uuid=titulaire.uuid))
    ) == [premier]
    assert list(selectors.professionnels_des_fils(acces)) == [pro_autorise, autre]


def test_le_representant_ne_compte_pas_les_fils_secrets(representant, enfant_represente):
    pro = ProfessionnelFactory()
    AccesProfessionnel.objects.create(espace=enfant_represente, professionnel=pro, autorise=True)
    _fil_du_pro(pro, enfant_represente, sujet="Vaccins")
    _fil_du_pro(pro, enfant_represente, sujet="Secret", secret_mineur=True)
    assert selectors.non_lus_utilisateur(representant.titulaire) == 1
    acces = espace_pour_acteur(
        utilisateur=representant.titulaire, espace_uuid=enfant_represente.uuid
    )
    assert selectors.boite_patient(acces).count() == 1


def _requetes(fonction) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as capture:
        fonction()
    return len(capture)


def test_un_nombre_fixe_de_requetes(titulaire, pro_autorise):
    acces = _patient(titulaire)
    premier = _fil_du_pro(pro_autorise, titulaire, fichiers=[fichier()])
    cote_pro = acces_fil(utilisateur=pro_autorise.utilisateur, fil_uuid=premier.uuid)

    def lire() -> None:
        list(selectors.boite_patient(acces)[:25])
        list(selectors.boite_professionnel(pro_autorise)[:25])
        for m in selectors.messages_du_fil(cote_pro):
            list(m.pieces.all())
        selectors.accuses(cote_pro)
        selectors.non_lus_utilisateur(titulaire.titulaire)
        selectors.non_lus_professionnel(pro_autorise)

    peu = _requetes(lire)
    for i in range(12):
        _fil_du_pro(pro_autorise, titulaire, sujet=f"Fil {i}", fichiers=[fichier()])
        services.message_repondre(acces=cote_pro, corps=f"Message {i}", fichiers=[fichier()])
    assert _requetes(lire) == peu


def test_la_boite_ecrite_a_la_main_repond_comme_le_queryset(representant, enfant_represente):
    """``BoitePatient`` (hand-built SQL) against ``boite_patient`` (the ORM), row for row,
    for every filter, for the holder and a representative (who does not see secrets)."""
    pro = ProfessionnelFactory()
    autre = ProfessionnelFactory(utilisateur__nom="ROUX")
    for p in (pro, autre):
        AccesProfessionnel.objects.create(espace=enfant_represente, professionnel=p, autorise=True)
    fils = [
        _fil_du_pro(pro, enfant_represente, sujet="A", fichiers=[fichier()]),
        _fil_du_pro(autre, enfant_represente, sujet="B"),
        _fil_du_pro(pro, enfant_represente, sujet="C", secret_mineur=True),
        _fil_du_pro(autre, enfant_represente, sujet="D"),
    ]
    parent = espace_pour_acteur(
        utilisateur=representant.titulaire, espace_uuid=enfant_represente.uuid
    )
    services.fil_lire(acces=fil_pour_acces(acces=parent, fil_uuid=fils[1].uuid))
    services.message_repondre(
        acces=acces_fil(utilisateur=autre.utilisateur, fil_uuid=fils[1].uuid), corps="Suite"
    )
    services.fil_ranger(acces=fil_pour_acces(acces=parent, fil_uuid=fils[3].uuid), archive=True)
    cas = [
        Filtres(),
        Filtres(non_lus=True),
        Filtres(avec_pieces=True),
        Filtres(archives=True),
        Filtres(professionnel=autre),
        Filtres(non_lus=True, professionnel=pro),
        Filtres(professionnel_uuid=autre.uuid),
    ]
    for filtres in cas:
        attendu = list(
            selectors.boite_patient(parent, filtres).values(*selectors.BoitePatient.COLONNES)
        )
        boite = selectors.BoitePatient(parent, filtres)
        assert boite.count() == len(attendu), filtres
        assert boite[0:25] == attendu, filtres
        assert boite[1:2] == attendu[1:2], filtres
    assert [ligne["sujet"] for ligne in selectors.BoitePatient(parent)[0:25]] == ["B", "A"]
    assert selectors.noms_des_professionnels_des_fils(parent) == [
        (str(p.uuid), p.nom_affiche) for p in selectors.professionnels_des_fils(parent)
    ]
    assert len(selectors.noms_des_professionnels_des_fils(parent)) == 2
