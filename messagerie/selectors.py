"""What the messagerie's pages read, each in a fixed number of statements whatever the number
of threads and messages: the inboxes (a thread's unread count for the reader, whether it
carries attachments, whether the reader archived it — all computed by the database in the
list's one statement), a thread's messages with their attachments (two), the other side's read
receipts (one), the unread counts of the header (one)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import (
    BooleanField,
    Count,
    DateTimeField,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from espace_sante.acces import AccesPatient, espaces_accessibles, lit_les_secrets
from espace_sante.acces.messagerie import AccesFil, fils_de_l_espace, fils_du_professionnel
from espace_sante.comptes.models import Utilisateur
from espace_sante.lib import sql
from professionnels.models import Professionnel

from .models import EtatFil, Fil, Message, PieceJointe

JAMAIS = datetime(1970, 1, 1, tzinfo=UTC)  # the read mark of a thread never opened


@dataclass(frozen=True)
class Filtres:
    """An inbox's filters: unread only, with attachments only, the archived threads instead of
    the others, one professional (the patient's inbox) or one space (the professional's)."""

    non_lus: bool = False
    avec_pieces: bool = False
    archives: bool = False
    professionnel: Professionnel | None = None
    espace_uuid: uuid.UUID | None = None
    professionnel_uuid: uuid.UUID | None = None  # the professional, by the filter's value


def _non_lus(utilisateur: Utilisateur) -> Coalesce:
    """The outer thread's messages written by others after the reader's read mark."""
    messages = (
        Message.objects.filter(fil=OuterRef("pk"), cree_le__gt=OuterRef("lu_moi"))
        .exclude(auteur=utilisateur)
        .order_by()
        .values("fil")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(messages, output_field=IntegerField()), Value(0))


def _boite(fils: QuerySet[Fil], utilisateur: Utilisateur, filtres: Filtres) -> QuerySet[Fil]:
    fils = (
        fils.annotate(
            etat_moi=FilteredRelation("etats", condition=Q(etats__utilisateur=utilisateur))
        )
        .annotate(
            lu_moi=Coalesce(F("etat_moi__lu_le"), Value(JAMAIS), output_field=DateTimeField()),
            archive_moi=Coalesce(F("etat_moi__archive"), Value(False), output_field=BooleanField()),
            supprime_moi=Coalesce(
                F("etat_moi__supprime"), Value(False), output_field=BooleanField()
            ),
        )
        .annotate(
            non_lus=_non_lus(utilisateur),
            avec_pieces=Exists(PieceJointe.objects.filter(message__fil=OuterRef("pk"))),
        )
        .filter(supprime_moi=False, archive_moi=filtres.archives)
        .select_related("espace", "professionnel__utilisateur")
        .order_by("-dernier_message_le", "-pk")
    )
    if filtres.non_lus:
        fils = fils.filter(non_lus__gt=0)
    if filtres.avec_pieces:
        fils = fils.filter(avec_pieces=True)
    if filtres.professionnel is not None:
        fils = fils.filter(professionnel=filtres.professionnel)
    if filtres.espace_uuid is not None:
        fils = fils.filter(espace__uuid=filtres.espace_uuid)
    if filtres.professionnel_uuid is not None:
        fils = fils.filter(professionnel__uuid=filtres.professionnel_uuid)
    return fils


def boite_patient(acces: AccesPatient, filtres: Filtres = Filtres()) -> QuerySet[Fil]:
    """The space's inbox for its holder or a representative (``fils_de_l_espace``), each
    thread annotated with ``non_lus``, ``avec_pieces`` and ``archive_moi``."""
    return _boite(fils_de_l_espace(acces), acces.utilisateur, filtres)


def boite_professionnel(
    professionnel: Professionnel, filtres: Filtres = Filtres()
) -> QuerySet[Fil]:
    """The professional's inbox, across their patients, annotated like the patient's."""
    return _boite(fils_du_professionnel(professionnel), professionnel.utilisateur, filtres)


def noms_des_professionnels_des_fils(acces: AccesPatient) -> list[tuple[str, str]]:
    """The professionals of the space's threads as the inbox's filter shows them: (uuid,
    name), in one hand-built statement (the queryset below, for a page shown on every visit,
    cost more to build than to run)."""
    connexion = sql.connexion_de_lecture(Fil)
    q = connexion.ops.quote_name
    secret = "" if lit_les_secrets(acces) else " AND f.secret_mineur = %s"
    requete = (
        f"SELECT p.uuid, p.profession, u.prenom, u.nom, u.email"  # noqa: S608
        f" FROM {q(Professionnel._meta.db_table)} p"
        f" INNER JOIN {q(Utilisateur._meta.db_table)} u ON u.id = p.utilisateur_id"
        f" WHERE p.id IN (SELECT f.professionnel_id FROM {q(Fil._meta.db_table)} f"
        f" WHERE f.espace_id = %s{secret}) ORDER BY u.nom, u.prenom, p.id"
    )
    parametres: list[object] = [acces.espace.pk]
    if not lit_les_secrets(acces):
        parametres.append(False)
    return [
        (
            str(uuid.UUID(str(identifiant))),
            Professionnel(
                profession=profession,
                utilisateur=Utilisateur(prenom=prenom, nom=nom, email=email),
            ).nom_affiche,
        )
        for identifiant, profession, prenom, nom, email in sql.lignes(
            connexion, requete, parametres
        )
    ]


def professionnels_des_fils(acces: AccesPatient) -> QuerySet[Professionnel]:
    """The professionals of the space's threads (the inbox's filter)."""
    return (
        Professionnel.objects.filter(pk__in=fils_de_l_espace(acces).values("professionnel_id"))
        .select_related("utilisateur")
        .order_by("utilisateur__nom", "utilisateur__prenom")
    )


# --- A thread ------------------------------------------------------------------------------------


def messages_du_fil(acces: AccesFil, *, apres: datetime | None = None) -> list[Message]:
    """The thread's messages, oldest first, with their attachments (two statements); only
    those written after ``apres`` when given (the page's live update)."""
    messages = acces.fil.messages.all()
    if apres is not None:
        messages = messages.filter(cree_le__gt=apres)
    return list(
        messages.order_by("cree_le", "pk").prefetch_related(
            Prefetch("pieces", queryset=PieceJointe.objects.order_by("pk"))
        )
    )


@dataclass(frozen=True)
class Accuse:
    """A read receipt: who of the other participants read the thread, up to when."""

    nom: str
    lu_le: datetime


def accuses(acces: AccesFil) -> list[Accuse]:
    """The other participants' read receipts (the professional's, or the holder's and the
    representatives'), latest first."""
    fil = acces.fil
    etats = (
        EtatFil.objects.filter(fil=fil, lu_le__isnull=False)
        .exclude(utilisateur=acces.utilisateur)
        .select_related("utilisateur")
        .order_by("-lu_le")
    )
    return [
        Accuse(
            nom=(
                fil.professionnel.nom_affiche
                if etat.utilisateur_id == fil.professionnel.utilisateur_id
                else etat.utilisateur.nom_affiche
            ),
            lu_le=etat.lu_le,
        )
        for etat in etats
        if etat.lu_le is not None
    ]


# --- Unread counts -------------------------------------------------------------------------------


def _messages_non_lus(fils: QuerySet[Fil], utilisateur: Utilisateur) -> int:
    """Messages of ``fils`` written by others after the reader's read mark of their thread:
    a count per thread over the (thread, date) index (a subquery per message cost 20 ms for
    5,000)."""
    total = (
        fils.annotate(
            etat_moi=FilteredRelation("etats", condition=Q(etats__utilisateur=utilisateur))
        )
        .annotate(
            lu_moi=Coalesce(F("etat_moi__lu_le"), Value(JAMAIS), output_field=DateTimeField())
        )
        .annotate(non_lus=_non_lus(utilisateur))
        .aggregate(total=Sum("non_lus"))["total"]
    )
    return int(total or 0)


def non_lus_espace(acces: AccesPatient) -> int:
    """Unread messages of one space for its holder or a representative (the space's home)."""
    return _messages_non_lus(fils_de_l_espace(acces), acces.utilisateur)


def non_lus_utilisateur(utilisateur: Utilisateur) -> int:
    """Unread messages across every space the person acts for (the header): a
    representative's count leaves out a minor's secret threads."""
    acces = espaces_accessibles(utilisateur=utilisateur)
    if not acces:
        return 0
    visibles = Q()
    for un in acces:
        visibles |= (
            Q(espace_id=un.espace.pk)
            if lit_les_secrets(un)
            else Q(espace_id=un.espace.pk, secret_mineur=False)
        )
    return _messages_non_lus(Fil.objects.filter(visibles), utilisateur)


def non_lus_professionnel(professionnel: Professionnel) -> int:
    """Unread messages across the professional's threads (their header and home)."""
    return _messages_non_lus(fils_du_professionnel(professionnel), professionnel.utilisateur)


# --- The patient's inbox, by hand --------------------------------------------------------


class BoitePatient:
    """``boite_patient`` for the inbox page, as a Paginator's object list: ``count()`` and a
    slice, each one hand-built statement. Building and compiling that queryset (a filtered
    relation, a counting subquery, an ``EXISTS``) cost more CPU than the database spent
    running it (bench/pages.py --page messagerie): this answers the same rows — tested row for
    row against it (tests/messagerie/test_selectors.py) — as dicts of the inbox's columns."""

    COLONNES = (
        "uuid",
        "sujet",
        "dernier_message_le",
        "ferme_le",
        "non_lus",
        "avec_pieces",
        "professionnel__profession",
        "professionnel__utilisateur__prenom",
        "professionnel__utilisateur__nom",
        "professionnel__utilisateur__email",
    )

    def __init__(self, acces: AccesPatient, filtres: Filtres = Filtres()) -> None:
        self.connexion = sql.connexion_de_lecture(Fil)
        self.lecture = sql.lecture(
            Fil,
            connexion=self.connexion,
            alias="f",
            noms=("uuid", "sujet", "dernier_message_le", "ferme_le"),
        )
        q = self.connexion.ops.quote_name
        tables = {
            m: q(m._meta.db_table)
            for m in (Fil, Message, PieceJointe, EtatFil, Professionnel, Utilisateur)
        }
        utilisateur = acces.utilisateur.pk
        jamais = self.connexion.ops.adapt_datetimefield_value(JAMAIS)
        non_lus = (
            f"(SELECT COUNT(*) FROM {tables[Message]} m WHERE m.fil_id = f.id"  # noqa: S608
            " AND m.cree_le > COALESCE(et.lu_le, %s)"
            " AND (m.auteur_id IS NULL OR m.auteur_id <> %s))"
        )
        avec_pieces = (
            f"EXISTS (SELECT 1 FROM {tables[PieceJointe]} pj"  # noqa: S608
            f" INNER JOIN {tables[Message]} mp ON mp.id = pj.message_id WHERE mp.fil_id = f.id)"
        )
        self.from_ = (
            f"FROM {tables[Fil]} f"
            f" INNER JOIN {tables[Professionnel]} p ON p.id = f.professionnel_id"
            f" INNER JOIN {tables[Utilisateur]} u ON u.id = p.utilisateur_id"
            f" LEFT JOIN {tables[EtatFil]} et ON et.fil_id = f.id AND et.utilisateur_id = %s"
        )
        self.parametres_from: list[object] = [utilisateur]
        conditions = [
            "f.espace_id = %s",
            "COALESCE(et.supprime, %s) = %s",
            "COALESCE(et.archive, %s) = %s",
        ]
        parametres: list[object] = [acces.espace.pk, False, False, False, filtres.archives]
        if not lit_les_secrets(acces):
            conditions.append("f.secret_mineur = %s")
            parametres.append(False)
        if filtres.non_lus:
            conditions.append(f"{non_lus} > 0")
            parametres += [jamais, utilisateur]
        if filtres.avec_pieces:
            conditions.append(avec_pieces)
        if filtres.professionnel is not None:
            conditions.append("f.professionnel_id = %s")
            parametres.append(filtres.professionnel.pk)
        if filtres.professionnel_uuid is not None:
            conditions.append("p.uuid = %s")
            parametres.append(
                Professionnel._meta.get_field("uuid").get_db_prep_value(
                    filtres.professionnel_uuid, self.connexion
                )
            )
        if filtres.espace_uuid is not None and filtres.espace_uuid != acces.espace.uuid:
            conditions.append("1 = 0")
        self.where = " WHERE " + " AND ".join(conditions)
        self.parametres_where = parametres
        self.select = (
            f"SELECT {', '.join(self.lecture.colonnes())}, {non_lus}, {avec_pieces},"
            " p.profession, u.prenom, u.nom, u.email "
        )
        self.parametres_select: list[object] = [jamais, utilisateur]

    def count(self) -> int:
        requete = f"SELECT COUNT(*) {self.from_}{self.where}"
        ((nombre,),) = sql.lignes(
            self.connexion, requete, [*self.parametres_from, *self.parametres_where]
        )
        return int(nombre)

    def __getitem__(self, tranche: slice) -> list[dict[str, object]]:
        debut = tranche.start or 0
        requete = (
            f"{self.select}{self.from_}{self.where}"
            " ORDER BY f.dernier_message_le DESC, f.id DESC LIMIT %s OFFSET %s"
        )
        parametres = [
            *self.parametres_select,
            *self.parametres_from,
            *self.parametres_where,
            (tranche.stop or debut) - debut,
            debut,
        ]
        largeur = self.lecture.largeur
        resultat = []
        for ligne in sql.lignes(self.connexion, requete, parametres):
            fil = self.lecture.instance(ligne[:largeur])
            valeurs = [
                fil.uuid,
                fil.sujet,
                fil.dernier_message_le,
                fil.ferme_le,
                int(ligne[largeur]),
                bool(ligne[largeur + 1]),
                *ligne[largeur + 2 :],
            ]
            resultat.append(dict(zip(self.COLONNES, valeurs, strict=True)))
        return resultat
