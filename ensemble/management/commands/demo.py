"""Load the demo data (idempotent) and print the demo logins.

Every INS here is fictitious, with a valid key, under the *test* INS authority OID.
"""

from __future__ import annotations

import base64
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from dossier.assurance.cnam_hr import cnam_hr_ecrire
from dossier.assurance.connecteur import ConnecteurHTTP
from dossier.assurance.simulateur import Simulateur
from dossier.assurance.synchro import espace_synchroniser
from dossier.formats.cda.cnam_hr import EntreeRemboursement
from dossier.models import Document, Source
from dossier.services import document_creer
from ensemble import demo
from espace_sante.acces import AccesPatient, Role, acces_professionnel
from espace_sante.acces.messagerie import acces_fil, fil_pour_acces
from espace_sante.coffre.televersement import fichier_chiffre_de
from espace_sante.comptes.models import Utilisateur
from espace_sante.journal.models import TypeActeur
from espace_sante.journal.services import Acteur
from espace_sante.lib.identifiants import OID_INS_NIR_TEST, luhn_cle, nir_cle
from messagerie import services as messages_services
from messagerie.models import Fil
from professionnels import services as pros
from professionnels.models import Professionnel, StatutProfessionnel
from profil import services
from profil.models import (
    Allergie,
    Antecedent,
    Espace,
    Lien,
    Mesure,
    PersonneConfiance,
    Representation,
    Statut,
    Traitement,
    Vaccination,
)

MOT_DE_PASSE = "demo-Espace-Sante-2026"
SECRET_TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105


# Camille's three lab reports (CR-BIO level 3): the Résultats page follows each value over time.
ANALYSES = (  # LOINC code, label, UCUM unit, low, high
    ("3016-3", "Thyréostimuline (TSH)", "m[IU]/L", "0.27", "4.2"),
    ("2345-7", "Glucose à jeun", "g/L", "0.7", "1.1"),
    ("4548-4", "Hémoglobine glyquée (HbA1c)", "%", "4", "6"),
    ("13457-7", "Cholestérol LDL (calculé)", "g/L", None, "1.6"),
)
BILANS = (
    (date(2025, 3, 12), ("3.9", "1.05", "5.9", "1.72")),
    (date(2025, 9, 18), ("4.6", "1.12", "6.2", "1.55")),
    (date(2026, 1, 10), ("2.1", "0.98", "5.8", "1.38")),
)


def _bilan(le: date, valeurs: tuple[str, ...]) -> list[demo.ObservationBio]:
    observations = []
    for (code, libelle, unite, bas, haut), valeur in zip(ANALYSES, valeurs, strict=True):
        haute = float(valeur) > float(haut)
        observations.append(
            demo.ObservationBio(
                code=code,
                libelle=libelle,
                valeur=valeur,
                unite=unite,
                bas=bas,
                haut=haut,
                interpretation="H" if haute else "N",
                le=f"{le:%Y%m%d}",
                prelevement="Sang veineux",
            )
        )
    return observations


def rpps_demo(corps: str) -> str:
    return f"{corps}{luhn_cle(corps)}"


def ins_demo(corps: str) -> str:
    return f"{corps}{nir_cle(corps):02d}"


PERSONNES = {
    "camille": ("2850375056123", "MARTIN", "Camille Anne", date(1985, 3, 14), "F"),
    "leo": ("1160675056234", "MARTIN", "Léo", date(2016, 6, 2), "M"),
    "zoe": ("2200975056345", "MARTIN", "Zoé", date(2020, 9, 21), "F"),
    "alex": ("1921169123456", "BERNARD", "Alex", date(1992, 11, 30), "M"),
    "jean": ("17001" + "2A" + "004567", "DUPONT", "Jean Pierre", date(1970, 1, 5), "M"),
    # proches (issue 21): Camille's carer; an adult under tutelle and his tutor
    "marie": ("2780575056456", "DUPONT", "Marie", date(1978, 5, 20), "F"),
    "paul": ("1450875056567", "GARNIER", "Paul", date(1945, 8, 3), "M"),
    "jeanne": ("2700275056678", "ROBERT", "Jeanne", date(1970, 2, 11), "F"),
}

_D = "@demo.espace-sante.test"
PROFESSIONNELS = [
    # e-mail, first name, name, RPPS (fictitious, valid key), profession, specialty, city, status
    (
        f"dr.lefevre{_D}",
        "Paul",
        "Lefèvre",
        rpps_demo("1990000001"),
        "10",
        "SM54",
        "PARIS",
        "verifie",
    ),
    (f"pharmacie.roux{_D}", "Inès", "Roux", rpps_demo("1990000002"), "21", "", "PARIS", "verifie"),
    (
        f"infirmier.leroy{_D}",
        "Hugo",
        "Leroy",
        rpps_demo("1990000003"),
        "60",
        "",
        "LYON",
        "en_attente",
    ),
    (
        f"samu.garnier{_D}",
        "Lina",
        "Garnier",
        rpps_demo("1990000004"),
        "10",
        "SM59",
        "LYON",
        "verifie",
    ),
]


class Command(BaseCommand):
    help = "Charge les données de démonstration et affiche les identifiants."

    def handle(self, *args: Any, **options: Any) -> None:
        systeme = Acteur.systeme("Données de démonstration")
        with transaction.atomic():
            espaces = {nom: self._espace(nom, systeme) for nom in PERSONNES}
            camille = self._titulaire(espaces["camille"], "camille.martin@demo.espace-sante.test")
            alex = self._titulaire(espaces["alex"], "alex.bernard@demo.espace-sante.test")
            for enfant in ("leo", "zoe"):
                if not Representation.objects.filter(
                    espace=espaces[enfant], representant=espaces["camille"], fin__isnull=True
                ).exists():
                    services.representation_ajouter(
                        espace=espaces[enfant],
                        representant=espaces["camille"],
                        lien=Lien.PARENT,
                        acteur=systeme,
                    )
            if espaces["leo"].statut == Statut.CREE:
                services.espace_activer_pour_mineur(espace=espaces["leo"], representant=camille)
            marie = self._titulaire(espaces["marie"], "marie.dupont@demo.espace-sante.test")
            jeanne = self._titulaire(espaces["jeanne"], "jeanne.robert@demo.espace-sante.test")
            demo.proches(
                camille=espaces["camille"],
                aidante=espaces["marie"],
                courriel_aidante=marie.email,
                protege=espaces["paul"],
                tuteur=espaces["jeanne"],
            )
            operateur = self._operateur()
            self._totp(camille)
            self._totp(marie)
            self._totp(jeanne)
            codes_operateur = self._totp(operateur)
            code_jean = (
                services.code_activation_renouveler(espace=espaces["jean"], acteur=systeme)
                if espaces["jean"].statut == Statut.CREE
                else "(espace déjà activé ou opposé)"
            )
        self._documents(espaces["camille"], espaces["leo"])
        logins_pros = self._professionnels(espaces["camille"], camille, operateur)
        self._profil(espaces["camille"])
        self._remboursements(espaces["camille"], espaces["leo"])
        self._messagerie(espaces["camille"], camille)
        archive = self._archive_dmp(espaces["camille"])
        self._afficher(camille, alex, operateur, codes_operateur, code_jean)
        self.stdout.write(
            "\n".join(
                [
                    f"Aidante de Camille (documents, consultation seulement) : {marie.email} "
                    "(TOTP ci-dessus)",
                    f"Tutrice de Paul GARNIER (tutelle) : {jeanne.email} (TOTP ci-dessus)",
                    "",
                    "Professionnels (http://127.0.0.1:8000/pro/, TOTP ci-dessus) :",
                    *[f"  {ligne}" for ligne in logins_pros],
                    "Inscription d'un professionnel : http://127.0.0.1:8000/pro/inscription/",
                    f"Archive du DMP de Camille à importer (Importer mon DMP) : {archive}",
                    "",
                ]
            )
        )

    def _archive_dmp(self, camille: Espace) -> str:
        """An XDM archive of Camille's older DMP record (made here), to try the import with."""
        documents = [
            demo.DocumentXDM(
                contenu=demo.cda(
                    ins=camille.ins,
                    code=code,
                    titre=titre,
                    le=jour,
                    paragraphes=(texte,),
                    oid_ins=camille.ins_oid,
                ),
                identifiant_unique=f"1.2.250.1.999.1.{camille.ins}.{rang}",
                type_code=code,
                classe=classe,
                titre=titre,
                le=jour,
            )
            for rang, (code, classe, titre, jour, texte) in enumerate(
                [
                    ("11502-2", "10", "Bilan lipidique", date(2019, 3, 4), "LDL : 1,2 g/L"),
                    ("18748-4", "31", "Radiographie du genou", date(2020, 6, 9), "Pas de lésion"),
                    ("11490-0", "10", "Lettre de sortie", date(2021, 11, 22), "Sortie à J2"),
                ]
            )
        ]
        chemin = settings.VAR_DIR / "demo" / "dmp-camille-martin.zip"
        chemin.parent.mkdir(parents=True, exist_ok=True)
        chemin.write_bytes(
            demo.archive_xdm(ins=camille.ins, documents=documents, oid_ins=camille.ins_oid)
        )
        return str(chemin)

    def _documents(self, camille: Espace, leo: Espace) -> None:
        """Every category, with the kinds of the national example files (CDA biology, imaging,
        prescription, vaccination; a DICOM series) — all made here, none copied."""
        if Document.objects.filter(espace=camille).exists():
            return
        camille.refresh_from_db()
        labo = Acteur(type=TypeActeur.PROFESSIONNEL, id="810000336601", nom="Laboratoire Biolab")
        radio = Acteur(type=TypeActeur.PROFESSIONNEL, id="810000441302", nom="Dr Inès ROUX")
        medecin = Acteur(type=TypeActeur.PROFESSIONNEL, id="810004000922", nom="Dr Paul DURAND")
        cpam = Acteur(type=TypeActeur.SYSTEME, nom="Assurance Maladie")
        vous = Acteur.pour_utilisateur(camille.titulaire, TypeActeur.TITULAIRE)
        ins = camille.ins
        lettre = demo.pdf(2, ("Lettre de liaison", "Séjour du 3 au 6 janvier 2026", "Dr DURAND"))
        fichiers = [
            *[
                (
                    camille,
                    demo.cr_bio(
                        ins=ins,
                        observations=_bilan(le, valeurs),
                        le=le,
                        identifiant=f"DEMO-{le:%Y%m%d}",
                        laboratoire="Laboratoire Biolab",
                    ),
                    f"bilan-{le:%Y-%m}.xml",
                    "Bilan sanguin (thyroïde, glycémie, cholestérol)",
                    le,
                    "11502-2",
                    labo,
                    Source.PROFESSIONNEL,
                    "text/xml",
                )
                for le, valeurs in BILANS
            ],
            (
                camille,
                demo.cda(
                    ins=ins,
                    code="18748-4",
                    titre="Scanner thoracique",
                    paragraphes=("Pas d'anomalie parenchymateuse.",),
                    organisation="Centre d'imagerie Lumière",
                ),
                "scanner.xml",
                "Compte rendu de scanner thoracique",
                date(2026, 1, 15),
                "18748-4",
                radio,
                Source.PROFESSIONNEL,
                "text/xml",
            ),
            (
                camille,
                demo.dicom(images=4, taille=128),
                "scanner.dcm",
                "Images du scanner thoracique",
                date(2026, 1, 15),
                "18748-4",
                radio,
                Source.PROFESSIONNEL,
                "application/dicom",
            ),
            (
                camille,
                demo.cda(
                    ins=ins,
                    code="57833-6",
                    titre="Ordonnance",
                    paragraphes=("Amoxicilline 1 g, 2 fois par jour pendant 6 jours.",),
                ),
                "ordonnance.xml",
                "Ordonnance — amoxicilline",
                date(2026, 2, 2),
                "57833-6",
                medecin,
                Source.PROFESSIONNEL,
                "text/xml",
            ),
            (
                camille,
                lettre,
                "liaison.pdf",
                "Lettre de liaison — sortie d'hospitalisation",
                date(2026, 1, 6),
                "11490-0",
                medecin,
                Source.PROFESSIONNEL,
                "application/pdf",
            ),
            (
                camille,
                demo.cda(
                    ins=ins,
                    code="89601-9",
                    titre="Certificat médical",
                    pdf_b64=base64.b64encode(
                        demo.pdf(1, ("Certificat de non contre-indication",))
                    ).decode(),
                ),
                "certificat.xml",
                "Certificat de non contre-indication au sport",
                date(2025, 9, 1),
                "89601-9",
                medecin,
                Source.PROFESSIONNEL,
                "text/xml",
            ),
            (
                camille,
                demo.pdf(1, ("Relevé de remboursements", "Janvier 2026")),
                "releve.pdf",
                "Relevé de remboursements — janvier 2026",
                date(2026, 1, 31),
                "REMB",
                cpam,
                Source.ASSURANCE_MALADIE,
                "application/pdf",
            ),
            (
                camille,
                demo.png(480, 300, "Carte de groupe sanguin : A+"),
                "groupe.png",
                "Carte de groupe sanguin",
                date(2019, 5, 4),
                "DOCPAT09",
                vous,
                Source.PATIENT,
                "image/png",
            ),
            (
                leo,
                demo.cda(
                    ins=leo.ins,
                    code="87273-9",
                    titre="Note de vaccination",
                    paragraphes=("ROR, 2e dose.",),
                ),
                "vaccin.xml",
                "Vaccination ROR (2e dose)",
                date(2018, 1, 10),
                "87273-9",
                medecin,
                Source.PROFESSIONNEL,
                "text/xml",
            ),
        ]
        for espace, contenu, nom, titre, le, code, auteur, source, media in fichiers:
            document_creer(
                espace=espace,
                contenu=contenu,
                nom_fichier=nom,
                titre=titre,
                date_acte=le,
                type_code=code,
                auteur=auteur,
                source=source,
                media_type=media,
            )

    def _remboursements(self, camille: Espace, leo: Espace) -> None:
        """The reimbursement history: the insurer's simulator started here, on a free loopback
        port, for one sync of each space (idempotent: the cursor and the lines' ids), and an
        older history as a CNAM-HR document (made here)."""
        with Simulateur() as simulateur:
            connecteur = ConnecteurHTTP(simulateur.url)
            try:
                for espace in (camille, leo):
                    espace.refresh_from_db()
                    espace_synchroniser(espace_id=espace.pk, connecteur=connecteur)
            finally:
                connecteur.fermer()
        if Document.objects.filter(espace=camille, identifiant_unique="demo-cnam-hr-2022").exists():
            return
        entrees = [
            EntreeRemboursement("pharmacie", date(2022, 10, 3), "CIP13", "3400935955838",
                                "N02BE01", "DOLIPRANE 1000MG CPR B/8", "Pharmacie COMPAIN", 2),
            EntreeRemboursement("consultation", date(2022, 10, 3), "NGAP", "G", "",
                                "CONSULTATION MEDECINE GENERALE", "Dr Laure MARIGNY"),
            EntreeRemboursement("biologie", date(2022, 11, 14), "NABM", "1208", "",
                                "T.S.H. (SANG)", "LBM PARC MONCEAU"),
            EntreeRemboursement("dentaire", date(2022, 12, 5), "CCAM", "HBJD001", "",
                                "DETARTRAGE ET POLISSAGE DES DENTS", "Cabinet dentaire des Lilas"),
        ]  # fmt: skip
        document_creer(
            espace=camille,
            contenu=cnam_hr_ecrire(
                ins=camille.ins, entrees=entrees, le=date(2022, 12, 31), oid_ins=OID_INS_NIR_TEST
            ),
            nom_fichier="historique-remboursements-2022.xml",
            titre="Données de remboursement 2022",
            date_acte=date(2022, 12, 31),
            type_code="REMB",
            auteur=Acteur.systeme("Assurance Maladie"),
            source=Source.ASSURANCE_MALADIE,
            media_type="text/xml",
            identifiant_unique="demo-cnam-hr-2022",
        )

    def _espace(self, nom: str, acteur: Acteur) -> Espace:
        corps, nom_naissance, prenoms, naissance, sexe = PERSONNES[nom]
        existant = Espace.objects.filter(ins=ins_demo(corps)).first()
        if existant is not None:
            return existant
        espace, _code = services.espace_precreer(
            acteur=acteur,
            identite=services.Identite(
                ins=ins_demo(corps),
                ins_oid=OID_INS_NIR_TEST,
                nom_naissance=nom_naissance,
                prenoms=prenoms,
                date_naissance=naissance,
                sexe=sexe,
            ),
        )
        return espace

    def _professionnels(
        self, camille: Espace, titulaire: Utilisateur, operateur: Utilisateur
    ) -> list[str]:
        """A médecin traitant, a pharmacist authorised until a date, a nurse waiting for
        verification, a SAMU regulator with no access (for the emergency journey)."""
        acces = AccesPatient(espace=camille, role=Role.TITULAIRE, utilisateur=titulaire)
        lignes = []
        for email, prenom, nom, rpps, profession, specialite, ville, statut in PROFESSIONNELS:
            professionnel = Professionnel.objects.filter(rpps=rpps).first()
            if professionnel is None:
                professionnel = pros.professionnel_inscrire(
                    email=email,
                    mot_de_passe=MOT_DE_PASSE,
                    prenom=prenom,
                    nom=nom,
                    rpps=rpps,
                    profession=profession,
                    specialite=specialite,
                    lieu_nom=f"Cabinet de {ville.title()}",
                    lieu_code_postal="75011" if ville == "PARIS" else "69003",
                    lieu_ville=ville,
                )
                assert professionnel is not None  # a fresh demo: neither e-mail nor RPPS is taken
                self._totp(professionnel.utilisateur)
                if statut == StatutProfessionnel.VERIFIE:
                    professionnel = pros.professionnel_statuer(
                        operateur=operateur,
                        professionnel=professionnel,
                        statut=StatutProfessionnel(statut),
                    )
            lignes.append(
                f"{email} — {professionnel.qualite}, {professionnel.get_statut_display()}"
            )
        martin, pharmacienne, _infirmier, regulateur = (
            Professionnel.objects.get(rpps=ligne[3]) for ligne in PROFESSIONNELS
        )
        if not regulateur.regulation:
            regulateur.regulation = True
            regulateur.save(update_fields=["regulation"])
        pros.medecin_traitant_designer(acces=acces, professionnel=martin)
        if not pharmacienne.acces.filter(espace=camille, autorise=True).exists():
            pros.acces_accorder(
                acces=acces,
                professionnel=pharmacienne,
                jusqu_au=timezone.localdate() + timedelta(days=90),
            )
        return lignes

    def _messagerie(self, camille: Espace, titulaire: Utilisateur) -> None:
        """A conversation with the médecin traitant: his message with an attachment, Camille's
        reply, and his answer she has not read yet."""
        if Fil.objects.filter(espace=camille).exists():
            return
        martin = Professionnel.objects.get(rpps=PROFESSIONNELS[0][3])
        fil = messages_services.fil_ouvrir_professionnel(
            acces=acces_professionnel(professionnel=martin, espace_uuid=camille.uuid),
            sujet="Résultats de votre bilan sanguin",
            corps=(
                "Bonjour Madame Martin,\n\nVos résultats sont arrivés : le cholestérol LDL a "
                "baissé depuis le dernier bilan. Je vous joins mon courrier.\n\nBien cordialement,"
                "\nDr Lefèvre"
            ),
            fichiers=[
                fichier_chiffre_de(
                    demo.pdf(lignes=("Courrier du Dr Lefèvre", "Bilan lipidique : en baisse.")),
                    nom="Courrier-bilan.pdf",
                    media_type="application/pdf",
                )
            ],
        )
        cote_patient = fil_pour_acces(
            acces=AccesPatient(espace=camille, role=Role.TITULAIRE, utilisateur=titulaire),
            fil_uuid=fil.uuid,
        )
        messages_services.fil_lire(acces=cote_patient)
        messages_services.message_repondre(
            acces=cote_patient,
            corps="Merci docteur. Dois-je continuer le traitement à la même dose ?",
        )
        messages_services.message_repondre(
            acces=acces_fil(utilisateur=martin.utilisateur, fil_uuid=fil.uuid),
            corps="Oui, continuez à la même dose ; nous referons le point dans trois mois.",
        )

    def _profil(self, camille: Espace) -> None:
        """A few entries of each kind in Camille's medical profile (once)."""
        if Allergie.objects.filter(espace=camille).exists():
            return
        Allergie.objects.create(
            espace=camille, substance="Pénicilline", reaction="Urticaire", severite="severe"
        )
        Traitement.objects.create(
            espace=camille, medicament="Lévothyroxine 75 µg", dose="1 comprimé le matin"
        )
        Antecedent.objects.create(
            espace=camille, nature="chirurgical", libelle="Appendicectomie", date=date(2001, 6, 1)
        )
        for jour, poids in [(date(2026, 1, 10), "64.5"), (date(2026, 4, 12), "63.8")]:
            Mesure.objects.create(espace=camille, type="poids", valeur=Decimal(poids), date=jour)
        Mesure.objects.create(
            espace=camille, type="taille", valeur=Decimal("166"), date=date(2026, 1, 10)
        )
        Mesure.objects.create(
            espace=camille,
            type="tension",
            valeur=Decimal("124"),
            valeur_basse=Decimal("78"),
            date=date(2026, 4, 12),
        )
        Vaccination.objects.create(espace=camille, famille="DTP", date=date(2010, 3, 14))
        Vaccination.objects.create(espace=camille, famille="Grippe", date=date(2025, 11, 2))
        PersonneConfiance.objects.create(espace=camille, nom="Alex Bernard", lien="ami")

    def _titulaire(self, espace: Espace, email: str) -> Utilisateur:
        if espace.titulaire is not None:
            return espace.titulaire
        code = espace.codes.filter(utilise_le__isnull=True, revoque_le__isnull=True).first()
        assert code is not None
        return services.espace_activer(espace=espace, code=code, email=email, password=MOT_DE_PASSE)

    def _operateur(self) -> Utilisateur:
        groupe, _ = Group.objects.get_or_create(name="Opérateurs")
        groupe.permissions.set(
            Permission.objects.filter(
                content_type__app_label__in=["profil", "journal", "professionnels", "aide"],
                codename__in=[
                    "view_espace",
                    "add_espace",
                    "view_evenement",
                    "view_professionnel",
                    "change_professionnel",
                    "view_habilitation",
                    "change_habilitation",
                    "view_revendicationrpps",
                    # the help centre: the tickets of the contact form and the FAQ
                    "view_demandecontact",
                    "change_demandecontact",
                    "view_questionfrequente",
                    "add_questionfrequente",
                    "change_questionfrequente",
                    "delete_questionfrequente",
                    # protected adults: the operators record and end the court's measures
                    "view_mesureprotection",
                    "add_mesureprotection",
                    "change_mesureprotection",
                    "view_representation",
                ],
            )
        )
        operateur = Utilisateur.objects.filter(email="operateur@demo.espace-sante.test").first()
        if operateur is None:
            operateur = Utilisateur.objects.create_user(
                email="operateur@demo.espace-sante.test",
                password=MOT_DE_PASSE,
                prenom="Olivia",
                nom="Opératrice",
                is_staff=True,
            )
        operateur.groups.add(groupe)
        return operateur

    def _totp(self, utilisateur: Utilisateur) -> list[str]:
        if not Authenticator.objects.filter(user=utilisateur, type="totp").exists():
            TOTP.activate(utilisateur, SECRET_TOTP)
        recuperation = Authenticator.objects.filter(user=utilisateur, type="recovery_codes").first()
        codes = RecoveryCodes(recuperation) if recuperation else RecoveryCodes.activate(utilisateur)
        return codes.get_unused_codes()[:3]

    def _afficher(
        self,
        camille: Utilisateur,
        alex: Utilisateur,
        operateur: Utilisateur,
        codes_operateur: list[str],
        code_jean: str,
    ) -> None:
        jean = PERSONNES["jean"]
        lignes = [
            "",
            "Espace Santé — données de démonstration (INS fictifs, OID de test)",
            "=" * 68,
            f"Mot de passe de tous les comptes : {MOT_DE_PASSE}",
            f"Secret TOTP (application d'authentification) : {SECRET_TOTP}",
            "",
            f"Titulaire, représente Léo et Zoé : {camille.email} (TOTP ci-dessus)",
            f"Titulaire sans double authentification (à configurer) : {alex.email}",
            f"Opérateur (http://127.0.0.1:8000/admin/) : {operateur.email} (TOTP ci-dessus)",
            f"  codes de récupération de l'opérateur : {', '.join(codes_operateur)}",
            "",
            "Espace à activer sur http://127.0.0.1:8000/activation/ :",
            f"  INS {ins_demo(jean[0])}, né le {jean[3]:%d/%m/%Y}, code {code_jean}",
            "",
        ]
        self.stdout.write("\n".join(lignes))
