"""Conversations for the pages bench (``bench/pages.py --page messagerie``): ``fils`` threads
between a space and ``professionnels`` professionals (each with a grant on it), ``messages``
messages in all (both sides in turn; about one thread in ten carries an attachment, a small
PDF in the vault), half of the threads read by the holder up to their middle. Written as the
services write them (subjects and bodies encrypted), in bulk. Reused while the counts match."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

MOT_DE_PASSE = "un-mot-de-passe-de-bench-42"


def _professionnels(nombre: int) -> list[Any]:
    from espace_sante.comptes.models import Utilisateur
    from espace_sante.lib.identifiants import luhn_cle
    from professionnels.models import Professionnel

    pros = []
    for rang in range(nombre):
        email = f"bench-messagerie-pro{rang}@exemple.test"
        pro = Professionnel.objects.filter(utilisateur__email=email).first()
        if pro is None:
            utilisateur = Utilisateur.objects.create_user(
                email=email, password=MOT_DE_PASSE, prenom="Paul", nom=f"MEDECIN{rang}"
            )
            pro = Professionnel.objects.create(
                utilisateur=utilisateur,
                rpps=f"1{900 + rang:09d}{luhn_cle(f'1{900 + rang:09d}')}",
                profession="10",
                specialite="SM54",
                lieu_nom="Cabinet",
                lieu_code_postal="75020",
                lieu_ville="PARIS",
                statut="verifie",
            )
        pros.append(pro)
    return pros


def messagerie_preparer(
    espace_uuid: str, fils: int, messages: int, professionnels: int = 10
) -> tuple[int, int]:
    """The space's threads and messages (made again when their numbers differ); returns
    (threads, messages)."""
    from django.db import transaction
    from django.utils import timezone

    from ensemble.demo import pdf
    from espace_sante.coffre.services import blob_ecrire_octets
    from messagerie.models import EtatFil, Fil, Message, PieceJointe
    from professionnels.models import AccesProfessionnel
    from profil.models import Espace

    espace = Espace.objects.select_related("titulaire").get(uuid=espace_uuid)
    existants = Fil.objects.filter(espace=espace)
    if existants.count() == fils and Message.objects.filter(fil__espace=espace).count() == messages:
        return fils, messages
    with transaction.atomic():
        existants.delete()
        pros = _professionnels(min(professionnels, fils))
        for pro in pros:
            AccesProfessionnel.objects.get_or_create(
                espace=espace, professionnel=pro, defaults={"autorise": True}
            )
        debut = timezone.now() - timedelta(days=400)
        lignes = []
        for rang in range(fils):
            pro = pros[rang % len(pros)]
            lignes.append(
                Fil(
                    espace=espace,
                    professionnel=pro,
                    sujet=f"Suivi n° {rang + 1} : résultats et traitement",
                    ouvert_par="professionnel" if rang % 3 else "patient",
                    cree_le=debut + timedelta(hours=rang),
                    dernier_message_le=debut + timedelta(hours=rang, minutes=messages // fils),
                )
            )
        Fil.objects.bulk_create(lignes)
        fils_crees = list(Fil.objects.filter(espace=espace).select_related("professionnel"))
        par_fil = messages // fils
        reste = messages - par_fil * fils
        a_ecrire = []
        for rang, fil in enumerate(fils_crees):
            nombre = par_fil + (1 if rang < reste else 0)
            for k in range(nombre):
                du_pro = k % 2 == 0
                a_ecrire.append(
                    Message(
                        fil=fil,
                        auteur_id=fil.professionnel.utilisateur_id
                        if du_pro
                        else espace.titulaire_id,
                        cote="professionnel" if du_pro else "patient",
                        auteur_nom="Dr Paul MEDECIN" if du_pro else "Camille BENCH",
                        corps=f"Message {k + 1} du fil {rang + 1}.\nBien cordialement.",
                        cree_le=fil.cree_le + timedelta(minutes=k),
                    )
                )
        for depart in range(0, len(a_ecrire), 2000):
            Message.objects.bulk_create(a_ecrire[depart : depart + 2000])
        contenu = pdf()
        premiers = (
            Message.objects.filter(fil__espace=espace)
            .order_by("fil_id", "cree_le")
            .distinct("fil_id")
            .values_list("pk", flat=True)
        )
        pieces = []
        for rang, message_id in enumerate(premiers):
            if rang % 10 == 0:
                blob = blob_ecrire_octets(contenu, media_type="application/pdf")
                pieces.append(
                    PieceJointe(
                        message_id=message_id,
                        blob=blob,
                        nom="compte-rendu.pdf",
                        media_type="application/pdf",
                        nature="pdf",
                        taille=blob.taille,
                    )
                )
        PieceJointe.objects.bulk_create(pieces)
        EtatFil.objects.bulk_create(
            [
                EtatFil(
                    fil=fil,
                    utilisateur_id=espace.titulaire_id,
                    lu_le=fil.cree_le + timedelta(minutes=par_fil // 2),
                )
                for rang, fil in enumerate(fils_crees)
                if rang % 2 == 0
            ]
        )
    from django.db import connection

    with connection.cursor() as curseur:  # the planner's statistics, as after a real load
        curseur.execute("ANALYZE messagerie_fil, messagerie_message, messagerie_etatfil")
    return fils, messages
