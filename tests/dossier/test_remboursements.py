"""The reimbursement sync (issue 7 §2): connector, simulator, cursor, batches, retries,
quarantine, rate limit, journal, encryption, exact sums, CNAM-HR documents."""

from __future__ import annotations

import json
import logging
import math
import os
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from dossier.assurance import synchro
from dossier.assurance.cnam_hr import cnam_hr_ecrire, documents_lire
from dossier.assurance.connecteur import ConnecteurHTTP, Page, ServiceIndisponible
from dossier.assurance.debit import DebitDepasse, SeauLocal, SeauRedis
from dossier.assurance.lignes import LigneInvalide, lire_ligne
from dossier.assurance.selectors import euros, totaux_par_annee, totaux_par_nature
from dossier.assurance.simulateur import Simulateur, ligne
from dossier.formats.cda.cnam_hr import EntreeRemboursement, entrees_remboursement
from dossier.models import (
    Document,
    LectureRemboursementsCDA,
    LigneQuarantaine,
    LigneRemboursement,
    OrigineRemboursement,
    Source,
    Statut,
    SynchroRemboursements,
)
from dossier.services import document_creer
from dossier.tasks import remboursements_synchroniser, remboursements_synchroniser_tous
from espace_sante.journal.models import Action, Evenement
from espace_sante.journal.services import Acteur
from espace_sante.lib.identifiants import OID_INS_NIR_TEST
from profil.models import Espace
from profil.models import Statut as StatutEspace

from ..conftest import SHARED_DATA, en_ci, url_redis
from ..factories import EspaceFactory

pytest_plugins = ["tests.dossier.test_remboursements_outils"]  # the simulator's fixtures
pytestmark = pytest.mark.django_db


@pytest.fixture
def retries_en_ligne():  # type: ignore[no-untyped-def]
    """In-process tasks retry in-process only when their failures are not propagated at once
    (Celery's eager ``apply``): the final failure still comes out of ``.get()``."""
    from espace_sante.celery import app

    avant = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = avant


def _lignes(espace: Espace) -> list[LigneRemboursement]:
    return list(LigneRemboursement.objects.filter(espace=espace).order_by("identifiant"))


def _synchros(espace: Espace) -> list[Evenement]:
    return list(
        Evenement.objects.filter(
            espace_uuid=espace.uuid, action=Action.REMBOURSEMENTS_SYNCHRONISES
        ).order_by("rang")
    )


# --- The connector, against the simulator over real HTTP -----------------------------------------


def test_the_connector_reads_a_page_and_its_cursor_over_http(simulateur: Simulateur) -> None:
    ins = "279035121518989"
    connecteur = ConnecteurHTTP(simulateur.url, delai=2.0)
    page = connecteur.remboursements(ins=ins, depuis="", limite=10)
    assert [json.loads(brute) for brute in page.lignes] == simulateur.lignes(ins)[:10]
    assert page.curseur_suivant == "v1.10" and page.fin is False
    suite = connecteur.remboursements(ins=ins, depuis=page.curseur_suivant, limite=1000)
    assert len(suite.lignes) == simulateur.total(ins) - 10 and suite.fin is True
    assert [(r.ins, r.depuis, r.limite, r.statut) for r in simulateur.journal] == [
        (ins, "", 10, 200),
        (ins, "v1.10", 1000, 200),
    ]


def test_the_connector_turns_5xx_timeouts_and_bad_pages_into_transient_failures(
    simulateur: Simulateur,
) -> None:
    connecteur = ConnecteurHTTP(simulateur.url, delai=0.3)
    simulateur.echouer(503)
    with pytest.raises(ServiceIndisponible, match="503"):
        connecteur.remboursements(ins="279035121518989", depuis="", limite=5)
    simulateur.ralentir(1.5)
    with pytest.raises(ServiceIndisponible, match="délai"):
        connecteur.remboursements(ins="279035121518989", depuis="", limite=5)
    with pytest.raises(ServiceIndisponible, match="400"):
        connecteur.remboursements(ins="279035121518989", depuis="pas-un-curseur", limite=5)


def test_the_simulated_history_is_the_same_for_an_ins_and_its_amounts_add_up() -> None:
    with Simulateur() as un, Simulateur() as autre:
        assert un.lignes("279035121518989") == autre.lignes("279035121518989")
        assert un.lignes("279035121518989") != un.lignes("185057512345678")
    lignes = [ligne("279035121518989", rang) for rang in range(200)]
    assert {entree["nature"] for entree in lignes} >= {
        "pharmacie",
        "consultation",
        "dentaire",
        "biologie",
        "hospitalisation",
    }
    assert {entree["systeme"] for entree in lignes} >= {"CIP13", "NGAP", "CCAM", "NABM", "GHS"}
    for entree in lignes:
        paye, rembourse, reste = (
            Decimal(entree[k]) for k in ("paye", "rembourse", "reste_a_charge")
        )
        assert paye - rembourse == reste and rembourse <= Decimal(entree["base"])
    assert len({entree["id"] for entree in lignes}) == 200


# --- Reading a line ------------------------------------------------------------------------------


def test_a_line_is_read_field_by_field_with_amounts_in_integer_cents() -> None:
    lue = lire_ligne(json.dumps(ligne("279035121518989", 0)))
    brute = ligne("279035121518989", 0)
    assert lue.paye == int(Decimal(brute["paye"]) * 100)
    assert isinstance(lue.paye, int) and isinstance(lue.reste_a_charge, int)
    for mauvaise, motif in [
        ("{", "JSON illisible"),
        ("[]", "objet"),
        (json.dumps({**brute, "paye": 12.5}), "montant invalide : paye"),
        (json.dumps({**brute, "reste_a_charge": "0.01"}), "incohérents"),
        (json.dumps({**brute, "date": "2024-02-30"}), "date invalide"),
        (json.dumps({**brute, "nature": "massage"}), "nature"),
        (json.dumps({k: v for k, v in brute.items() if k != "id"}), "identifiant"),
    ]:
        with pytest.raises(LigneInvalide, match=motif) as refus:
            lire_ligne(mauvaise)
        assert brute["libelle"] not in refus.value.motif  # the reason names fields only


# --- The sync ------------------------------------------------------------------------------------


def test_a_sync_stores_every_line_once_encrypted_and_journals_it(
    assurance: Simulateur, titulaire: Espace
) -> None:
    resultat = synchro.espace_synchroniser(espace_id=titulaire.pk)
    attendu = assurance.lignes(titulaire.ins)
    assert resultat.etat == "termine" and resultat.ajoutees == len(attendu)
    lignes = _lignes(titulaire)
    assert [ligne.identifiant for ligne in lignes] == sorted(e["id"] for e in attendu)
    premiere = next(e for e in attendu if e["id"] == lignes[0].identifiant)
    assert lignes[0].libelle == premiere["libelle"]
    assert lignes[0].montants["reste_a_charge"] == Decimal(premiere["reste_a_charge"])
    assert lignes[0].origine == OrigineRemboursement.ASSURANCE
    with connection.cursor() as curseur:
        curseur.execute(
            "SELECT libelle, codes, professionnel FROM dossier_ligneremboursement WHERE id = %s",
            [lignes[0].pk],
        )
        brut = curseur.fetchone()
    assert all(valeur.startswith("esc1$") for valeur in brut)
    assert premiere["libelle"] not in "".join(brut)
    evenements = _synchros(titulaire)
    pages = math.ceil(len(attendu) / 25)
    assert len(evenements) == pages
    assert sum(e.details["lignes"] for e in evenements) == len(attendu)
    assert {e.acteur_type for e in evenements} == {"systeme"}
    etat = SynchroRemboursements.objects.get(espace=titulaire)
    assert etat.curseur == f"v1.{len(attendu)}" and etat.derniere_reussite is not None


def test_the_next_sync_asks_only_for_what_is_new(assurance: Simulateur, titulaire: Espace) -> None:
    synchro.espace_synchroniser(espace_id=titulaire.pk)
    total = assurance.total(titulaire.ins)
    assurance.ajouter(titulaire.ins, 7)
    avant = len(assurance.journal)
    resultat = synchro.espace_synchroniser(espace_id=titulaire.pk)
    assert resultat.ajoutees == 7 and resultat.pages == 1
    assert [r.depuis for r in assurance.journal[avant:]] == [f"v1.{total}"]
    assert len(_lignes(titulaire)) == total + 7
    assert _synchros(titulaire)[-1].details == {"lignes": 7}
    # Nothing new: one request, no line, no event.
    evenements = len(_synchros(titulaire))
    assert synchro.espace_synchroniser(espace_id=titulaire.pk).ajoutees == 0
    assert len(_synchros(titulaire)) == evenements


def test_a_run_reads_at_most_its_batch_of_pages_then_queues_the_rest(
    assurance: Simulateur, titulaire: Espace, settings, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    settings.ASSURANCE_LIMITE_PAGE = 5
    with django_capture_on_commit_callbacks(execute=False) as suites:
        resultat = synchro.espace_synchroniser(espace_id=titulaire.pk, pages_max=2)
    assert (resultat.etat, resultat.pages, resultat.ajoutees) == ("suite", 2, 10)
    assert len(_lignes(titulaire)) == 10 and len(suites) == 1
    # The queued continuation (run in-process here) goes on from the cursor to the end.
    with django_capture_on_commit_callbacks(execute=True):
        suites[0]()
    assert len(_lignes(titulaire)) == assurance.total(titulaire.ins)
    assert [r.depuis for r in assurance.journal[:3]] == ["", "v1.5", "v1.10"]


def test_a_5xx_then_success_retries_and_adds_no_duplicate(
    assurance: Simulateur, titulaire: Espace, retries_en_ligne: None
) -> None:
    assurance.echouer(503, 500)
    assert remboursements_synchroniser.delay(titulaire.pk).get() == "termine"
    assert [r.statut for r in assurance.journal[:3]] == [503, 500, 200]
    lignes = _lignes(titulaire)
    assert (
        len(lignes)
        == len({ligne.identifiant for ligne in lignes})
        == assurance.total(titulaire.ins)
    )
    etat = SynchroRemboursements.objects.get(espace=titulaire)
    assert etat.echecs_consecutifs == 0 and etat.derniere_erreur == ""


class _CoupeApresReponse:
    """A connector whose n-th call gets the page from the service and then fails, as when the
    answer is lost on the way back: the retry asks for the same page again."""

    def __init__(self, url: str, coupure: int) -> None:
        self.reel = ConnecteurHTTP(url, delai=2.0)
        self.appels = 0
        self.coupure = coupure

    def remboursements(self, *, ins: str, depuis: str, limite: int) -> Page:
        self.appels += 1
        page = self.reel.remboursements(ins=ins, depuis=depuis, limite=limite)
        if self.appels == self.coupure:
            raise ServiceIndisponible("réponse perdue")
        return page


def test_a_page_lost_after_the_service_answered_is_asked_again_without_duplicates(
    assurance: Simulateur, titulaire: Espace
) -> None:
    connecteur = _CoupeApresReponse(assurance.url, coupure=2)
    with pytest.raises(ServiceIndisponible):
        synchro.espace_synchroniser(espace_id=titulaire.pk, connecteur=connecteur)
    assert len(_lignes(titulaire)) == 25  # the first page is written, with its cursor
    assert SynchroRemboursements.objects.get(espace=titulaire).echecs_consecutifs == 1
    synchro.espace_synchroniser(espace_id=titulaire.pk, connecteur=connecteur)
    depuis = [r.depuis for r in assurance.journal]
    assert depuis[:3] == ["", "v1.25", "v1.25"]  # the lost page, asked twice
    assert len(_lignes(titulaire)) == assurance.total(titulaire.ins)
    # Even from the very beginning again (the operators' "reprendre depuis le début").
    SynchroRemboursements.objects.filter(espace=titulaire).update(curseur="")
    evenements = len(_synchros(titulaire))
    assert synchro.espace_synchroniser(espace_id=titulaire.pk).ajoutees == 0
    assert len(_lignes(titulaire)) == assurance.total(titulaire.ins)
    assert len(_synchros(titulaire)) == evenements


def test_the_backoff_doubles_up_to_its_cap_with_half_of_it_random(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ASSURANCE_BACKOFF_BASE = 2.0
    settings.ASSURANCE_BACKOFF_MAX = 60.0
    bas = [synchro.delai_nouvel_essai(n, hasard=lambda: 0.0) for n in range(7)]
    haut = [synchro.delai_nouvel_essai(n, hasard=lambda: 1.0) for n in range(7)]
    assert bas == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    assert haut == [2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]
    tirages = {synchro.delai_nouvel_essai(3) for _ in range(50)}
    assert all(8.0 <= t <= 16.0 for t in tirages) and len(tirages) > 1  # jittered


def test_timeouts_are_retried_with_the_backoff_then_given_up(
    assurance: Simulateur, titulaire: Espace, settings, monkeypatch, retries_en_ligne
) -> None:  # type: ignore[no-untyped-def]
    settings.ASSURANCE_DELAI = 0.3
    essais: list[int] = []
    reel = synchro.delai_nouvel_essai

    def espion(essai: int) -> float:
        essais.append(essai)
        return reel(essai)

    monkeypatch.setattr(synchro, "delai_nouvel_essai", espion)
    assurance.ralentir(1.0, 1.0)
    assert remboursements_synchroniser.delay(titulaire.pk).get() == "termine"
    assert essais == [0, 1]  # retry 1 after backoff(0), retry 2 after backoff(1)
    assert len(_lignes(titulaire)) == assurance.total(titulaire.ins)

    # Past ASSURANCE_ESSAIS_MAX retries, the failure stays (and is counted for operators).
    autre = EspaceFactory()
    assurance.echouer(*[503] * 10)
    with pytest.raises(ServiceIndisponible):
        remboursements_synchroniser.delay(autre.pk).get()
    etat = SynchroRemboursements.objects.get(espace=autre)
    assert etat.echecs_consecutifs == settings.ASSURANCE_ESSAIS_MAX + 1
    assert etat.derniere_erreur == "réponse HTTP 503"
    assert not LigneRemboursement.objects.filter(espace=autre).exists()


def test_a_malformed_line_is_quarantined_encrypted_and_the_others_land(
    assurance: Simulateur, titulaire: Espace, caplog
) -> None:  # type: ignore[no-untyped-def]
    assurance.malformer(titulaire.ins, 3, 7, 11, 30)
    with caplog.at_level(logging.WARNING):
        resultat = synchro.espace_synchroniser(espace_id=titulaire.pk)
    total = assurance.total(titulaire.ins)
    assert (resultat.ajoutees, resultat.quarantaine) == (total - 4, 4)
    identifiants = {ligne.identifiant for ligne in _lignes(titulaire)}
    assert not identifiants & {ligne(titulaire.ins, r)["id"] for r in (3, 7, 11, 30)}
    quarantaine = list(LigneQuarantaine.objects.filter(espace=titulaire).order_by("pk"))
    assert sorted(q.motif for q in quarantaine) == sorted(
        [
            "JSON illisible",
            "montant invalide : rembourse",
            "date invalide",
            "identifiant absent ou invalide",
        ]
    )
    assert quarantaine[1].contenu == json.dumps(
        {**ligne(titulaire.ins, 7), "rembourse": "douze euros"}
    )
    with connection.cursor() as curseur:
        curseur.execute("SELECT contenu FROM dossier_lignequarantaine")
        assert all(valeur.startswith("esc1$") for (valeur,) in curseur.fetchall())
    assert SynchroRemboursements.objects.get(espace=titulaire).lignes_quarantaine == 4
    journal = caplog.text
    assert "quarantaine" in journal and str(titulaire.uuid) in journal
    assert ligne(titulaire.ins, 7)["libelle"] not in journal and titulaire.ins not in journal
    # Read again from the start: the same bad lines are not quarantined twice.
    SynchroRemboursements.objects.filter(espace=titulaire).update(curseur="")
    synchro.espace_synchroniser(espace_id=titulaire.pk)
    assert LigneQuarantaine.objects.filter(espace=titulaire).count() == 4


def _fenetre_max(instants: list[float], largeur: float) -> int:
    return max(sum(1 for u in instants if t <= u < t + largeur) for t in instants)


def test_the_rate_limit_is_honoured_towards_the_service(assurance: Simulateur, settings) -> None:  # type: ignore[no-untyped-def]
    """Measured on the simulator's own log: in any half second, at most rate × 0.5 + burst
    requests (without the bucket, the 16 requests come within a few milliseconds)."""
    settings.ASSURANCE_DEBIT = 10.0
    settings.ASSURANCE_RAFALE = 2
    settings.ASSURANCE_LIMITE_PAGE = 10
    espaces = [EspaceFactory() for _ in range(2)]
    assurance.etat.lignes = 75  # 8 pages each
    for espace in espaces:  # one after the other: the same bucket (another test: shared)
        synchro.espace_synchroniser(espace_id=espace.pk)
    instants = [r.instant for r in assurance.journal]
    assert len(instants) == 16
    assert _fenetre_max(instants, 0.5) <= 10.0 * 0.5 + 2
    for espace in espaces:
        assert LigneRemboursement.objects.filter(espace=espace).count() == 75


def test_a_local_bucket_refuses_a_wait_longer_than_allowed() -> None:
    seau = SeauLocal(debit=1.0, rafale=1, attente_max=0.5)
    assert seau.reserver() == 0.0
    with pytest.raises(DebitDepasse) as refus:
        seau.reserver()
    assert 0.5 < refus.value.attente <= 1.0


def test_the_redis_bucket_is_shared_by_every_process_that_uses_it() -> None:
    url = url_redis()
    if url is None:
        pytest.skip("no Redis: the shared bucket needs one")
    cle = f"test:seau:{os.getpid()}:{id(url)}"
    un = SeauRedis(debit=10.0, rafale=1, attente_max=5.0, url=url, cle=cle)
    autre = SeauRedis(debit=10.0, rafale=1, attente_max=5.0, url=url, cle=cle)  # another worker
    attentes = [un.reserver(), autre.reserver(), un.reserver(), autre.reserver()]
    assert attentes[0] == 0.0
    assert attentes[1] > 0.05 and attentes[2] > attentes[1] and attentes[3] > attentes[2]
    lent = SeauRedis(debit=10.0, rafale=1, attente_max=0.1, url=url, cle=cle)
    with pytest.raises(DebitDepasse):
        lent.reserver()
    un.client.delete(cle)


def test_the_beat_job_queues_every_due_active_space_in_batches(
    assurance: Simulateur, settings, monkeypatch, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    settings.ASSURANCE_LOT_ESPACES = 2
    actifs = [EspaceFactory() for _ in range(3)]
    EspaceFactory(statut=StatutEspace.CLOTURE)
    deja = EspaceFactory()
    synchro.espace_synchroniser(espace_id=deja.pk)  # synced within the interval: not due
    programmes: list[int] = []
    monkeypatch.setattr(remboursements_synchroniser, "delay", programmes.append)
    with django_capture_on_commit_callbacks(execute=True):
        assert remboursements_synchroniser_tous.delay().get() == 3
    assert sorted(programmes) == sorted(e.pk for e in actifs)
    assert remboursements_synchroniser_tous.delay().get() == 0  # queued already
    settings.ASSURANCE_URL = ""
    assert synchro.espaces_synchroniser_tous() == 0  # no service configured: nothing


def test_a_space_that_is_not_active_is_left_alone(assurance: Simulateur) -> None:
    ferme = EspaceFactory(statut=StatutEspace.CLOTURE)
    assert synchro.espace_synchroniser(espace_id=ferme.pk).etat == "ignore"
    assert assurance.journal == []


# --- Exact sums ----------------------------------------------------------------------------------


def test_totals_are_exact_decimal_sums(assurance: Simulateur, titulaire: Espace) -> None:
    synchro.espace_synchroniser(espace_id=titulaire.pk)
    attendu: dict[int, Decimal] = defaultdict(Decimal)
    par_nature: dict[str, Decimal] = defaultdict(Decimal)
    for entree in assurance.lignes(titulaire.ins):
        attendu[date.fromisoformat(entree["date"]).year] += Decimal(entree["reste_a_charge"])
        par_nature[entree["nature"]] += Decimal(entree["paye"])
    lignes = LigneRemboursement.objects.filter(espace=titulaire)
    assert {t.cle: t.reste_a_charge for t in totaux_par_annee(lignes)} == attendu
    assert {t.cle: t.paye for t in totaux_par_nature(lignes)} == par_nature
    # The float trap: 0.10 + 0.20 is 0.30 here.
    LigneRemboursement.objects.filter(espace=titulaire).delete()
    for rang, centimes in enumerate((10, 20)):
        LigneRemboursement.objects.create(
            espace=titulaire,
            identifiant=f"x{rang}",
            origine=OrigineRemboursement.ASSURANCE,
            date_soins=date(2025, 1, 1),
            nature="pharmacie",
            libelle="test",
            paye_centimes=centimes,
            reste_a_charge_centimes=centimes,
        )
    (total,) = totaux_par_annee(LigneRemboursement.objects.filter(espace=titulaire))
    assert total.reste_a_charge == Decimal("0.30") and str(total.paye) == "0.30"
    assert euros(None) is None


# --- CNAM-HR documents ---------------------------------------------------------------------------

ENTREES = [
    EntreeRemboursement("pharmacie", date(2025, 3, 4), "CIP13", "3400935955838", "N02BE01",
                        "DOLIPRANE 1000MG CPR B/8", "Pharmacie COMPAIN", 2),
    EntreeRemboursement("consultation", date(2025, 3, 3), "NGAP", "G", "",
                        "CONSULTATION MEDECINE GENERALE", "Cabinet du Dr MARIGNY"),
    EntreeRemboursement("consultation", date(2025, 3, 3), "NGAP", "G", "",
                        "CONSULTATION MEDECINE GENERALE", "Cabinet du Dr MARIGNY"),
    EntreeRemboursement("dentaire", date(2025, 2, 10), "CCAM", "HBJD001", "",
                        "DETARTRAGE", "Cabinet dentaire des Lilas"),
    EntreeRemboursement("biologie", date(2025, 1, 20), "NABM", "1208", "", "T.S.H. (SANG)",
                        "LBM PARC MONCEAU"),
    EntreeRemboursement("hospitalisation", date(2024, 11, 5), "GHS", "1721", "",
                        "SEJOUR COURT", "Clinique Sainte-Geneviève"),
]  # fmt: skip


def _cnam_hr(espace: Espace, entrees: list[EntreeRemboursement] = ENTREES) -> bytes:
    return cnam_hr_ecrire(
        ins=espace.ins, entrees=entrees, le=date(2025, 4, 1), oid_ins=OID_INS_NIR_TEST
    )


def _deposer_cnam_hr(espace: Espace, **champs: object) -> Document:
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        document = _creer_cnam_hr(espace, **champs)
    document.refresh_from_db()
    assert document.statut == Statut.DISPONIBLE, document.motif_erreur
    return document


def _creer_cnam_hr(espace: Espace, **champs: object) -> Document:
    return document_creer(
        espace=espace,
        contenu=_cnam_hr(espace),
        nom_fichier="remboursements.xml",
        titre="Données de remboursement",
        date_acte=date(2025, 4, 1),
        type_code="REMB",
        auteur=Acteur.systeme("Assurance Maladie"),
        source=Source.ASSURANCE_MALADIE,
        media_type="text/xml",
        **champs,  # type: ignore[arg-type]
    )


def test_the_project_cnam_hr_document_gives_back_its_entries(titulaire: Espace) -> None:
    assert entrees_remboursement(_cnam_hr(titulaire)) == ENTREES[:3] + ENTREES[3:]


def test_the_national_cnam_hr_example_gives_its_entries() -> None:
    chemin = SHARED_DATA / "cda" / "CNAM-HR_2021.01.xml"
    if not chemin.exists():
        raison = f"Données de référence absentes : {chemin} (attendues dans ../shared/data/)."
        if en_ci():
            pytest.fail(raison + " Elles sont obligatoires en CI.")
        pytest.skip(raison)
    entrees = entrees_remboursement(chemin.read_bytes())
    assert len(entrees) == 25
    natures = defaultdict(int)
    for entree in entrees:
        natures[entree.nature] += 1
    assert dict(natures) == {
        "pharmacie": 6,
        "dispositif": 2,
        "hospitalisation": 2,
        "consultation": 7,
        "dentaire": 1,
        "radiologie": 3,
        "biologie": 4,
    }
    ludeal = entrees[0]
    assert (ludeal.systeme, ludeal.code, ludeal.atc, ludeal.date) == (
        "CIP13",
        "3400935673220",
        "G03",
        date(2019, 5, 26),
    )
    tsh = next(e for e in entrees if e.code == "1208")
    assert (tsh.systeme, tsh.nature, tsh.date) == ("NABM", "biologie", date(2019, 6, 11))


def test_a_deposited_cnam_hr_document_adds_its_lines_once(titulaire: Espace) -> None:
    document = _deposer_cnam_hr(titulaire)
    assert documents_lire(espace=titulaire) == len(ENTREES)
    lignes = _lignes(titulaire)
    assert {ligne.origine for ligne in lignes} == {OrigineRemboursement.DOCUMENT}
    assert {ligne.document_id for ligne in lignes} == {document.pk}
    assert sorted(ligne.libelle for ligne in lignes) == sorted(e.libelle for e in ENTREES)
    assert all(ligne.paye_centimes is None for ligne in lignes)  # the document has no amounts
    assert LectureRemboursementsCDA.objects.get(document=document).lignes == len(ENTREES)
    # Read again, or the same history deposited a second time: nothing twice.
    assert documents_lire(espace=titulaire) == 0
    _deposer_cnam_hr(titulaire)
    assert documents_lire(espace=titulaire) == 0
    assert len(_lignes(titulaire)) == len(ENTREES)


def test_an_empty_bucket_defers_the_task_without_counting_a_failure(
    assurance: Simulateur, titulaire: Espace, settings, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    settings.ASSURANCE_DEBIT = 5.0
    settings.ASSURANCE_RAFALE = 1
    settings.ASSURANCE_ATTENTE_MAX = 0.05
    # In a worker: queued again as a new task, for when the token is due.
    differes: list[tuple[object, float]] = []
    monkeypatch.setattr(
        remboursements_synchroniser,
        "apply_async",
        lambda args, countdown: differes.append((args, countdown)),
    )
    assert remboursements_synchroniser.run(titulaire.pk) == "differe"
    ((args, countdown),) = differes
    assert args == (titulaire.pk,) and 0.05 < countdown <= 0.2
    assert LigneRemboursement.objects.filter(espace=titulaire).count() == 25  # the first page
    etat = SynchroRemboursements.objects.get(espace=titulaire)
    assert etat.echecs_consecutifs == 0
    monkeypatch.undo()
    # In-process (the embedded default): it waits for its tokens and finishes.
    assert remboursements_synchroniser.delay(titulaire.pk).get() == "termine"
    assert LigneRemboursement.objects.filter(espace=titulaire).count() == assurance.total(
        titulaire.ins
    )
