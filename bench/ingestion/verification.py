"""The checks after the phases of the ingestion bench: every document "disponible", a sample
of blobs read back and authenticated with the expected SHA-256, previews or CDA facts present,
journal events and chains intact."""

from __future__ import annotations

from ingestion.mesure import Phase


def verifier(phases: list[Phase], echantillon: int) -> list[str]:
    """Every document "disponible", a sample of blobs read back and authenticated with the
    expected SHA-256, previews present, journal events and chains intact."""
    import random

    from dossier.models import Apercu, Document, Statut
    from espace_sante.coffre.services import blob_verifier
    from espace_sante.journal.models import Action, Evenement
    from espace_sante.journal.services import cle_chaine, journal_verifier

    problemes: list[str] = []
    hasard = random.Random(20260115)
    premier_pk = min(p.premier_pk for p in phases)
    for phase in phases:
        suivante = min((p.premier_pk for p in phases if p.premier_pk > phase.premier_pk), default=0)
        documents = Document.objects.filter(pk__gt=phase.premier_pk)
        if suivante:
            documents = documents.filter(pk__lte=suivante)
        nom = f"{phase.genre}{' (drain)' if phase is not phases[0] else ''}"
        nombre = documents.count()
        disponibles = documents.filter(statut=Statut.DISPONIBLE).count()
        if nombre != phase.documents or disponibles != nombre:
            problemes.append(f"{nom}: {disponibles} disponibles sur {nombre} ({phase.documents})")
        uuids = [str(u) for u in documents.values_list("uuid", flat=True)]
        evenements = Evenement.objects.filter(
            objet_type="document", objet_id__in=uuids, action=Action.DOCUMENT_DEPOSE
        ).count()
        if evenements != nombre:
            problemes.append(f"{nom}: {evenements} événements « déposé » pour {nombre} documents")
        if phase.genre == "pdf":
            miniatures = Apercu.objects.filter(
                document__in=documents, genre=Apercu.Genre.MINIATURE
            ).count()
            if miniatures != nombre:
                problemes.append(f"{nom}: {miniatures} miniatures pour {nombre} documents")
        if phase.genre == "cda-pdf":
            integres = Apercu.objects.filter(document__in=documents, genre=Apercu.Genre.PDF)
            if integres.count() != nombre:
                problemes.append(f"{nom}: {integres.count()} PDF intégrés pour {nombre}")
        if phase.genre.startswith("cda"):
            sans_faits = sum(
                1 for faits in documents.values_list("faits", flat=True) if '"cda"' not in faits
            )  # encrypted field: read and decrypted here
            if sans_faits:
                problemes.append(f"{nom}: {sans_faits} documents CDA sans faits lus")
        if phase.genre == "cda-bio":  # each report's 20 coded results read at ingestion
            from dossier.models import Resultat
            from ingestion.cr_bio import ANALYSES_CODEES

            lus = Resultat.objects.filter(document__in=documents).count()
            if lus != nombre * len(ANALYSES_CODEES):
                problemes.append(f"{nom}: {lus} résultats lus pour {nombre} comptes rendus")
        pks = list(documents.values_list("pk", flat=True))
        for document in Document.objects.filter(
            pk__in=hasard.sample(pks, min(echantillon, len(pks)))
        ).select_related("blob"):
            if document.blob is None or document.sha256 not in phase.empreintes:
                problemes.append(f"{nom}: document {document.pk}: empreinte inattendue")
                continue
            if (erreur := blob_verifier(document.blob)) is not None:
                problemes.append(f"{nom}: document {document.pk}: {erreur}")
            for apercu in document.apercus.select_related("blob"):
                if (erreur := blob_verifier(apercu.blob)) is not None:
                    problemes.append(f"{nom}: aperçu du document {document.pk}: {erreur}")
    espaces = Document.objects.filter(pk__gt=premier_pk).values_list("espace__uuid", flat=True)
    chaines = [cle_chaine(espace_uuid=u) for u in set(espaces)]
    problemes.extend(f"journal: {a}" for a in journal_verifier(chaines=chaines))
    return problemes
