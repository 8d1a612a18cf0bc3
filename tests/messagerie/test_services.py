"""The messagerie's rules and services (issue 18, points 1–4 and 6): who writes to whom, the
threads' life, attachments checked like uploads, privacy at rest and in the journal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.http import Http404
from django.utils import timezone

from dossier.models import Document, Source
from espace_sante.acces import acces_professionnel, espace_pour_acteur
from espace_sante.acces.messagerie import (
    acces_fil,
    fil_pour_acces,
    fils_de_l_espace,
    fils_du_professionnel,
    professionnels_joignables,
    refus_d_ecrire,
)
from espace_sante.coffre.models import Blob
from espace_sante.journal.models import Action, Evenement
from espace_sante.lib.erreurs import Refus
from messagerie import services
from messagerie.models import EtatFil, Fil, Message, PieceJointe
from professionnels.models import AccesProfessionnel, BrisDeGlace
from professionnels.services import professionnel_bloquer

from ..dossier.test_fichiers import archive_zip, executable_pe, png
from ..factories import ProfessionnelFactory
from .outils import fichier

pytestmark = pytest.mark.django_db


def _patient(espace):  # type: ignore[no-untyped-def]
    return espace_pour_acteur(utilisateur=espace.titulaire, espace_uuid=espace.uuid)


def _pro(pro, espace):  # type: ignore[no-untyped-def]
    return acces_professionnel(professionnel=pro, espace_uuid=espace.uuid)


def _ouvrir_par_pro(pro, espace, **kw):  # type: ignore[no-untyped-def]
    return services.fil_ouvrir_professionnel(
        acces=_pro(pro, espace), sujet=kw.pop("sujet", "Vos résultats"), corps="Bonjour", **kw
    )


# --- Point 1: who writes to whom -----------------------------------------------------------------


def test_le_titulaire_ecrit_aux_professionnels_autorises_et_au_medecin_traitant(
    titulaire, pro_autorise, pro_non_autorise, pro_bloque
):
    traitant = ProfessionnelFactory(utilisateur__nom="ROUX")
    AccesProfessionnel.objects.create(
        espace=titulaire, professionnel=traitant, medecin_traitant=True
    )
    expire = ProfessionnelFactory(utilisateur__nom="VIDAL")
    AccesProfessionnel.objects.create(
        espace=titulaire,
        professionnel=expire,
        autorise=True,
        expire_le=timezone.now() - timedelta(days=1),
    )
    suspendu = ProfessionnelFactory(utilisateur__nom="SIMON", statut="suspendu")
    AccesProfessionnel.objects.create(espace=titulaire, professionnel=suspendu, autorise=True)
    acces = _patient(titulaire)
    assert set(professionnels_joignables(acces)) == {pro_autorise, traitant}
    for refuse in (pro_non_autorise, pro_bloque, expire, suspendu):
        with pytest.raises(Refus, match="Mes professionnels"):
            services.fil_ouvrir_patient(
                acces=acces, professionnel=refuse, sujet="Question", corps="Bonjour"
            )
    assert not Fil.objects.exists()
    fil = services.fil_ouvrir_patient(
        acces=acces, professionnel=traitant, sujet="Question", corps="Bonjour docteur"
    )
    assert fil.ouvert_par == "patient" and fil.messages.count() == 1


def test_un_professionnel_en_urgence_ecrit_mais_pas_sans_acces(titulaire, pro_non_autorise):
    with pytest.raises(Http404):
        _pro(pro_non_autorise, titulaire)
    BrisDeGlace.objects.create(
        espace=titulaire,
        professionnel=pro_non_autorise,
        motif="Patient inconscient aux urgences",
        fin=timezone.now() + timedelta(hours=1),
    )
    fil = _ouvrir_par_pro(pro_non_autorise, titulaire)
    assert fil.ouvert_par == "professionnel"
    # The holder replies in a thread a professional opened, though not authorised.
    reponse = services.message_repondre(
        acces=fil_pour_acces(acces=_patient(titulaire), fil_uuid=fil.uuid), corps="Merci"
    )
    assert reponse.cote == "patient"
    assert pro_non_autorise not in professionnels_joignables(_patient(titulaire))


def test_bloquer_ferme_les_fils_aux_nouveaux_messages_l_historique_reste(titulaire, pro_autorise):
    fil = _ouvrir_par_pro(pro_autorise, titulaire)
    professionnel_bloquer(acces=_patient(titulaire), professionnel=pro_autorise)
    cote_patient = fil_pour_acces(acces=_patient(titulaire), fil_uuid=fil.uuid)
    cote_pro = acces_fil(utilisateur=pro_autorise.utilisateur, fil_uuid=fil.uuid)
    assert "bloqué" in refus_d_ecrire(cote_patient)
    assert "ne vous permet plus" in refus_d_ecrire(cote_pro)
    for acces in (cote_patient, cote_pro):
        with pytest.raises(Refus):
            services.message_repondre(acces=acces, corps="Encore un mot")
    assert Message.objects.count() == 1
    assert list(fils_du_professionnel(pro_autorise)) == [fil]  # the history stays
    assert list(fils_de_l_espace(_patient(titulaire))) == [fil]
    with pytest.raises(Http404):  # and no new thread
        _pro(pro_autorise, titulaire)


def test_le_patient_ne_poursuit_son_fil_que_tant_que_le_professionnel_est_joignable(
    titulaire, pro_autorise
):
    fil = services.fil_ouvrir_patient(
        acces=_patient(titulaire), professionnel=pro_autorise, sujet="Question", corps="Bonjour"
    )
    AccesProfessionnel.objects.filter(professionnel=pro_autorise).update(autorise=False)
    acces = fil_pour_acces(acces=_patient(titulaire), fil_uuid=fil.uuid)
    assert "redonnez-lui accès" in refus_d_ecrire(acces)
    # The professional still answers in the thread the patient opened.
    services.message_repondre(
        acces=acces_fil(utilisateur=pro_autorise.utilisateur, fil_uuid=fil.uuid), corps="Réponse"
    )


def test_pas_de_fil_entre_patients_ni_avec_le_fil_d_un_autre(
    titulaire, autre_titulaire, pro_autorise
):
    fil = _ouvrir_par_pro(pro_autorise, titulaire)
    with pytest.raises(Http404):
        acces_fil(utilisateur=autre_titulaire.titulaire, fil_uuid=fil.uuid)
    with pytest.raises(Http404):
        fil_pour_acces(acces=_patient(autre_titulaire), fil_uuid=fil.uuid)
    autre_pro = ProfessionnelFactory(utilisateur__nom="AUTRE")
    with pytest.raises(Http404):
        acces_fil(utilisateur=autre_pro.utilisateur, fil_uuid=fil.uuid)


def test_un_professionnel_suspendu_ne_lit_plus_ses_fils(titulaire, pro_autorise):
    fil = _ouvrir_par_pro(pro_autorise, titulaire)
    pro_autorise.statut = "suspendu"
    pro_autorise.save()
    assert not fils_du_professionnel(pro_autorise).exists()
    with pytest.raises(Http404):
        acces_fil(utilisateur=pro_autorise.utilisateur, fil_uuid=fil.uuid)
    assert "ne peut plus recevoir" in refus_d_ecrire(
        fil_pour_acces(acces=_patient(titulaire), fil_uuid=fil.uuid)
    )


# --- Point 2: threads ----------------------------------------------------------------------------


def test_lu_archive_supprime_par_participant_et_clos_par_le_professionnel(titulaire, pro_autorise):
    fil = _ouvrir_par_pro(pro_autorise, titulaire)
    cote_patient = fil_pour_acces(acces=_patient(titulaire), fil_uuid=fil.uuid)
    assert services.fil_lire(acces=cote_patient) is True
    assert services.fil_lire(acces=cote_patient) is False  # nothing new: not journaled again
    assert Evenement.objects.filter(action=Action.MESSAGE_LU).count() == 1
    etat = EtatFil.objects.get(fil=fil, utilisateur=titulaire.titulaire)
    assert etat.lu_le >= fil.messages.get().cree_le  # the professional's read receipt
    services.fil_ranger(acces=cote_patient, supprime=True)
    assert EtatFil.objects.get(fil=fil, utilisateur=titulaire.titulaire).supprime
    assert not EtatFil.objects.get(fil=fil, utilisateur=pro_autorise.utilisateur).supprime
    cote_pro = acces_fil(utilisateur=pro_autorise.utilisateur, fil_uuid=fil.uuid)
    services.message_repondre(acces=cote_pro, corps="Avez-vous vu mon message ?")
    assert not EtatFil.objects.get(fil=fil, utilisateur=titulaire.titulaire).supprime  # back
    with pytest.raises(Refus):
        services.fil_fermer(acces=cote_patient)
    services.fil_fermer(acces=cote_pro)
    fil.refresh_from_db()
    assert fil.ferme
    for acces in (
        fil_pour_acces(acces=_patient(titulaire), fil_uuid=fil.uuid),
        acces_fil(utilisateur=pro_autorise.utilisateur, fil_uuid=fil.uuid),
    ):
        with pytest.raises(Refus, match="clos"):
            services.message_repondre(acces=acces, corps="Encore")


def test_un_fil_secret_du_mineur_est_invisible_aux_representants(
    representant, enfant_represente, django_capture_on_commit_callbacks
):
    pro = ProfessionnelFactory()
    AccesProfessionnel.objects.create(espace=enfant_represente, professionnel=pro, autorise=True)
    acces_parent = espace_pour_acteur(
        utilisateur=representant.titulaire, espace_uuid=enfant_represente.uuid
    )
    with django_capture_on_commit_callbacks(execute=True):
        ordinaire = _ouvrir_par_pro(pro, enfant_represente, sujet="Vaccins")
        secret = _ouvrir_par_pro(pro, enfant_represente, sujet="Consultation", secret_mineur=True)
    assert list(fils_de_l_espace(acces_parent)) == [ordinaire]
    with pytest.raises(Http404):
        fil_pour_acces(acces=acces_parent, fil_uuid=secret.uuid)
    with pytest.raises(Http404):
        acces_fil(utilisateur=representant.titulaire, fil_uuid=secret.uuid)
    # The representative is told of the ordinary thread, not of the secret one.
    destinataires = [m.to[0] for m in mail.outbox]
    assert destinataires.count(representant.titulaire.email) == 1
    # Nor reads its lines in the history.
    assert (
        Evenement.objects.filter(objet_id=str(secret.messages.get().uuid))
        .get()
        .details["secret_mineur"]
    )
    AccesProfessionnel.objects.create(espace=representant, professionnel=pro, autorise=True)
    with pytest.raises(Refus, match="mineur"):  # an adult's space has no minor's secret
        _ouvrir_par_pro(pro, representant, secret_mineur=True)


def test_un_representant_ecrit_pour_l_enfant(
    representant, enfant_represente, django_capture_on_commit_callbacks
):
    pro = ProfessionnelFactory()
    AccesProfessionnel.objects.create(espace=enfant_represente, professionnel=pro, autorise=True)
    acces = espace_pour_acteur(
        utilisateur=representant.titulaire, espace_uuid=enfant_represente.uuid
    )
    with django_capture_on_commit_callbacks(execute=True):
        fil = services.fil_ouvrir_patient(
            acces=acces, professionnel=pro, sujet="Fièvre", corps="Bonjour docteur"
        )
    message = fil.messages.get()
    assert message.auteur_nom.endswith("représentant légal")
    assert [m.to for m in mail.outbox] == [[pro.utilisateur.email]]


# --- Point 3: attachments ------------------------------------------------------------------------


def test_pieces_jointes_verifiees_par_leur_contenu_et_rien_garde_en_cas_de_refus(
    titulaire, pro_autorise
):
    blobs = Blob.objects.count()
    for mauvais, nom in (
        (executable_pe(), "ordonnance.pdf"),
        (archive_zip(), "resultats.zip"),
        (b"%PDF-1.4\n tronque", "tronque.pdf"),
    ):
        with pytest.raises(Refus, match=nom.replace(".", r"\.")):
            _ouvrir_par_pro(
                pro_autorise, titulaire, fichiers=[fichier(png()), fichier(mauvais, nom=nom)]
            )
    assert not Fil.objects.exists() and Blob.objects.count() == blobs
    fil = _ouvrir_par_pro(
        pro_autorise,
        titulaire,
        fichiers=[fichier(), fichier(png(), nom="photo.png", media_type="image/png")],
    )
    pieces = PieceJointe.objects.filter(message__fil=fil)
    assert sorted(p.nature for p in pieces) == ["pdf", "png"]
    assert fil.taille_pieces == sum(p.taille for p in pieces)


def test_limites_par_message_et_par_fil(titulaire, pro_autorise, settings):
    settings.MESSAGERIE_TAILLE_PIECE = 40_000
    settings.MESSAGERIE_TAILLE_MESSAGE = 50_000
    settings.MESSAGERIE_TAILLE_FIL = 80_000
    settings.MESSAGERIE_PIECES_PAR_MESSAGE = 2
    gros = png(__import__("PIL.Image", fromlist=["Image"]).effect_noise((170, 170), 60))
    assert 25_000 < len(gros) < 40_000, len(gros)
    with pytest.raises(Refus, match="au plus 2 fichiers"):
        _ouvrir_par_pro(
            pro_autorise, titulaire, fichiers=[fichier(png(), nom=f"{i}.png") for i in range(3)]
        )
    with pytest.raises(Refus, match="en tout"):
        _ouvrir_par_pro(
            pro_autorise,
            titulaire,
            fichiers=[fichier(gros, nom="a.png"), fichier(gros, nom="b.png")],
        )
    fil = _ouvrir_par_pro(pro_autorise, titulaire, fichiers=[fichier(gros, nom="a.png")])
    cote_pro = acces_fil(utilisateur=pro_autorise.utilisateur, fil_uuid=fil.uuid)
    services.message_repondre(acces=cote_pro, corps="Suite", fichiers=[fichier(gros, nom="b.png")])
    with pytest.raises(Refus, match="limite de fichiers joints"):
        services.message_repondre(
            acces=cote_pro, corps="Encore", fichiers=[fichier(gros, nom="c.png")]
        )
    settings.MESSAGERIE_TAILLE_PIECE = 1000
    with pytest.raises(Refus, match="ne peut dépasser"):
        services.message_repondre(
            acces=cote_pro, corps="Encore", fichiers=[fichier(gros, nom="d.png")]
        )


def test_un_cda_d_une_autre_personne_est_refuse_en_piece_jointe(
    titulaire, autre_titulaire, pro_autorise
):
    from ensemble.demo import cda

    with pytest.raises(Refus, match="autre personne"):
        _ouvrir_par_pro(
            pro_autorise,
            titulaire,
            fichiers=[fichier(cda(ins=autre_titulaire.ins), nom="cr.xml", media_type="text/xml")],
        )
    fil = _ouvrir_par_pro(
        pro_autorise,
        titulaire,
        fichiers=[fichier(cda(ins=titulaire.ins), nom="cr.xml", media_type="text/xml")],
    )
    assert fil.messages.get().pieces.get().nature == "cda"


def test_ajouter_a_mes_documents_et_deposer_au_dossier(titulaire, pro_autorise):
    fil = _ouvrir_par_pro(pro_autorise, titulaire, fichiers=[fichier(nom="Bilan_sanguin.pdf")])
    piece = fil.messages.get().pieces.get()
    cote_patient = fil_pour_acces(acces=_patient(titulaire), fil_uuid=fil.uuid)
    document = services.piece_ajouter_aux_documents(acces=cote_patient, piece=piece)
    assert document.source == Source.PATIENT and document.titre == "Bilan sanguin"
    assert document.espace == titulaire and document.statut == "en_traitement"
    reponse = services.message_repondre(
        acces=cote_patient,
        corps="Voici ma radio",
        fichiers=[fichier(png(), nom="radio.png", media_type="image/png")],
    )
    cote_pro = acces_fil(utilisateur=pro_autorise.utilisateur, fil_uuid=fil.uuid)
    depose = services.piece_deposer_au_dossier(
        acces=cote_pro, piece=reponse.pieces.get(), type_code="11488-4"
    )
    assert depose.source == Source.PROFESSIONNEL and depose.auteur_nom.startswith("Dr")
    with pytest.raises(Refus):
        services.piece_deposer_au_dossier(acces=cote_patient, piece=piece, type_code="11488-4")
    with pytest.raises(Refus):  # the matrix's deposit rule: a type only patients deposit
        services.piece_deposer_au_dossier(acces=cote_pro, piece=piece, type_code="EXPPAT_2")
    AccesProfessionnel.objects.filter(professionnel=pro_autorise).update(autorise=False)
    with pytest.raises(Refus, match="plus\\) accès"):
        services.piece_deposer_au_dossier(acces=cote_pro, piece=piece, type_code="11488-4")
    assert Document.objects.filter(espace=titulaire).count() == 2


# --- Point 4: privacy ----------------------------------------------------------------------------


def test_objets_et_corps_chiffres_au_repos_et_rien_dans_le_journal_ni_les_courriels(
    titulaire, pro_autorise, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        fil = _ouvrir_par_pro(
            pro_autorise,
            titulaire,
            sujet="Résultat de la biopsie",
            fichiers=[fichier(nom="biopsie-prostate.pdf")],
        )
        services.message_repondre(
            acces=fil_pour_acces(acces=_patient(titulaire), fil_uuid=fil.uuid),
            corps="J'ai une douleur thoracique",
        )
    with connection.cursor() as curseur:
        curseur.execute("SELECT sujet FROM messagerie_fil")
        lignes = [r[0] for r in curseur.fetchall()]
        curseur.execute("SELECT corps FROM messagerie_message")
        lignes += [r[0] for r in curseur.fetchall()]
        curseur.execute("SELECT nom FROM messagerie_piecejointe")
        lignes += [r[0] for r in curseur.fetchall()]
    brut = " ".join(lignes)
    for secret in ("biopsie", "Bonjour", "douleur", "prostate"):
        assert secret not in brut
    journal = " ".join(
        f"{e.details} {e.acteur_nom} {e.objet_type}" for e in Evenement.objects.all()
    )
    assert "biopsie" not in journal and "douleur" not in journal
    assert Evenement.objects.filter(action=Action.MESSAGE_ENVOYE).count() == 2
    corps = " ".join(f"{m.subject} {m.body}" for m in mail.outbox)
    assert "biopsie" not in corps and "douleur" not in corps
    sujets = {m.subject for m in mail.outbox}
    assert sujets == {
        "Espace Santé — Un professionnel de santé vous a écrit",
        "Espace Santé — Un patient vous a écrit",
    }


def test_corps_vide_ou_trop_long_refuse(titulaire, pro_autorise):
    with pytest.raises(Refus, match="Écrivez"):
        services.fil_ouvrir_professionnel(
            acces=_pro(pro_autorise, titulaire), sujet="Objet", corps="  \n "
        )
    with pytest.raises(Refus, match="objet"):
        services.fil_ouvrir_professionnel(acces=_pro(pro_autorise, titulaire), sujet=" ", corps="x")
    with pytest.raises(Refus, match="5\u202f000 caractères"):
        services.fil_ouvrir_professionnel(
            acces=_pro(pro_autorise, titulaire), sujet="Objet", corps="x" * 5001
        )
    assert not Fil.objects.exists()


def test_un_espace_purge_emporte_ses_pieces_jointes(titulaire, pro_autorise):
    _ouvrir_par_pro(pro_autorise, titulaire, fichiers=[fichier()])
    blob = PieceJointe.objects.get().blob_id
    titulaire.delete()
    assert not Blob.objects.filter(pk=blob).exists()
    assert not Fil.objects.exists()


def test_peut_ecrire_a_un_professionnel_suit_les_joignables(
    titulaire, pro_bloque, pro_non_autorise
):
    from espace_sante.acces.messagerie import peut_ecrire_a_un_professionnel

    acces = _patient(titulaire)
    assert not peut_ecrire_a_un_professionnel(acces)  # blocked only
    suspendu = ProfessionnelFactory(utilisateur__nom="SIMON", statut="suspendu")
    AccesProfessionnel.objects.create(espace=titulaire, professionnel=suspendu, autorise=True)
    assert not peut_ecrire_a_un_professionnel(acces)
    AccesProfessionnel.objects.create(
        espace=titulaire, professionnel=pro_non_autorise, medecin_traitant=True
    )
    assert peut_ecrire_a_un_professionnel(acces)
    assert professionnels_joignables(acces).exists()
