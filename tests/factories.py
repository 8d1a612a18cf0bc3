"""Factories: fictitious people with valid INS keys under the test OID."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta

import factory
from allauth.mfa.totp.internal.auth import TOTP
from django.utils import timezone

from espace_sante.comptes.models import Utilisateur
from espace_sante.lib.identifiants import OID_INS_NIR_TEST, nir_cle
from profil.models import (
    Delegation,
    Espace,
    MesureProtection,
    Perimetre,
    Representation,
    Statut,
    TypeProtection,
)

SECRET_TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
MOT_DE_PASSE = "un-mot-de-passe-solide-42"


def nir(sexe: str, naissance: date, rang: int) -> str:
    sexe_chiffre = "1" if sexe == "M" else "2"
    corps = f"{sexe_chiffre}{naissance.year % 100:02d}{naissance.month:02d}75{rang:06d}"
    return f"{corps}{nir_cle(corps):02d}"


class UtilisateurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Utilisateur
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.test")
    prenom = "Prénom"
    nom = factory.Sequence(lambda n: f"NOM{n}")
    password = factory.PostGenerationMethodCall("set_password", MOT_DE_PASSE)

    @factory.post_generation
    def totp(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        self.save()
        if extracted is not False:
            TOTP.activate(self, SECRET_TOTP)


class EspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Espace

    nom_naissance = factory.Sequence(lambda n: f"PERSONNE{n}")
    prenoms = "Camille"
    date_naissance = date(1980, 5, 17)
    sexe = "F"
    statut = Statut.ACTIF
    ins_oid = OID_INS_NIR_TEST
    ins = factory.LazyAttributeSequence(lambda o, n: nir(o.sexe, o.date_naissance, n + 1))
    titulaire = factory.SubFactory(UtilisateurFactory)


class RepresentationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Representation

    espace = factory.SubFactory(
        EspaceFactory, titulaire=None, date_naissance=date(2015, 1, 10), prenoms="Léo", sexe="M"
    )
    representant = factory.SubFactory(EspaceFactory)


def empreinte_jeton(jeton: str) -> str:
    """How invitations keep their token: its SHA-256, in hex."""
    return hashlib.sha256(jeton.encode()).hexdigest()


class DelegationFactory(factory.django.DjangoModelFactory):
    """An accepted delegation (``acceptee_le=None`` for a pending invitation): an adult holder's
    space, a carer's own active space, full perimeter, read only."""

    class Meta:
        model = Delegation

    espace = factory.SubFactory(EspaceFactory)
    aidant = factory.SubFactory(EspaceFactory, prenoms="Marie", sexe="F")
    courriel = factory.LazyAttribute(
        lambda o: o.aidant.titulaire.email if o.aidant else "aidant@exemple.test"
    )
    perimetre = Perimetre.TOUT
    ecriture = False
    jeton_empreinte = factory.LazyFunction(lambda: empreinte_jeton(secrets.token_urlsafe(32)))
    invitation_expire_le = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    acceptee_le = factory.LazyFunction(timezone.now)


class MesureProtectionFactory(factory.django.DjangoModelFactory):
    """A tutelle in force since 2024 over an adult's space, its tutor's own active space."""

    class Meta:
        model = MesureProtection

    espace = factory.SubFactory(EspaceFactory, prenoms="Paul", sexe="M")
    responsable = factory.SubFactory(EspaceFactory, prenoms="Jeanne", sexe="F")
    type = TypeProtection.TUTELLE
    decision_justice = "Jugement du tribunal judiciaire de Lyon, RG 24/01234"
    debut = date(2024, 1, 15)


def document(espace: Espace, **champs: object):  # type: ignore[no-untyped-def]
    """A document already processed, its content stored in the vault."""
    from dossier.models import Document, Source, Statut
    from dossier.types import categorie_de
    from espace_sante.coffre.services import blob_ecrire_octets

    contenu = champs.pop("contenu", b"%PDF-1.4\n% document de test\n")
    media = str(champs.pop("media_type", "application/pdf"))
    blob = blob_ecrire_octets(contenu, media_type=media)  # type: ignore[arg-type]
    valeurs: dict[str, object] = {
        "espace": espace,
        "type_code": "11502-2",
        "titre": "Bilan sanguin",
        "date_acte": date(2026, 3, 2),
        "auteur_type": "professionnel",
        "auteur_nom": "Dr Paul DURAND",
        "source": Source.PROFESSIONNEL,
        "blob": blob,
        "nature": "pdf",
        "media_type": media,
        "taille": blob.taille,
        "sha256": blob.sha256_clair,
        "statut": Statut.DISPONIBLE,
    }
    valeurs.update(champs)
    valeurs.setdefault("categorie", categorie_de(str(valeurs["type_code"])))
    return Document.objects.create(**valeurs)


def rpps(rang: int) -> str:
    from espace_sante.lib.identifiants import luhn_cle

    corps = f"1{rang:09d}"
    return f"{corps}{luhn_cle(corps)}"


class ProfessionnelFactory(factory.django.DjangoModelFactory):
    """A verified médecin généraliste unless told otherwise."""

    class Meta:
        model = "professionnels.Professionnel"

    utilisateur = factory.SubFactory(UtilisateurFactory, prenom="Paul", nom="MARTIN")
    rpps = factory.Sequence(lambda n: rpps(n + 1))
    profession = "10"
    specialite = factory.LazyAttribute(lambda o: "SM54" if o.profession == "10" else "")
    lieu_nom = "Cabinet médical des Lilas"
    lieu_code_postal = "75020"
    lieu_ville = "PARIS"
    statut = "verifie"
