"""Lab results for the pages bench (``bench/pages.py --page resultats``): ``rapports``
structured lab reports' worth of results (20 each, the analyses of the ingestion bench's
CR-BIO: ``bench/ingestion/cr_bio.py``) on a space's documents, stored as ingestion stores
them (encrypted, keyed digest of the LOINC code). Reused while their count matches."""

from __future__ import annotations

import json
from datetime import date, timedelta

from ingestion.cr_bio import ANALYSES_CODEES


def resultats_preparer(espace_uuid: str, rapports: int) -> int:
    """The space's results: ``rapports`` × 20, on its first ``rapports`` documents (made again
    when their number differs); returns their number."""
    from django.db import connection, transaction
    from django.utils import timezone

    from dossier.models import Document, LectureResultats, Resultat, empreinte_analyse
    from profil.models import Espace

    espace = Espace.objects.get(uuid=espace_uuid)
    attendus = rapports * len(ANALYSES_CODEES)
    if Resultat.objects.filter(espace=espace).count() == attendus:
        return attendus
    documents = list(
        Document.objects.filter(espace=espace)
        .order_by("pk")
        .values_list("pk", flat=True)[:rapports]
    )
    if len(documents) < rapports:
        raise SystemExit(f"--lab-reports {rapports}: the space has {len(documents)} documents")
    debut = date(2026, 3, 1)
    lignes = []
    for numero, document_id in enumerate(documents):
        le = debut - timedelta(days=30 * (rapports - numero))
        for rang, (code, libelle, unite, bas, haut, usuelle) in enumerate(ANALYSES_CODEES):
            valeur = round(usuelle * (0.8 + ((numero * 7 + rang * 13) % 9) / 20), 2)
            drapeau = "H" if valeur > haut else "L" if valeur < bas else "N"
            contenu = {
                "libelle": libelle,
                "genre": "nombre",
                "valeur": str(valeur),
                "unite": unite,
                "bas": str(bas),
                "haut": str(haut),
                "interpretation": drapeau,
                "methode": "Automate",
            }
            lignes.append(
                Resultat(
                    espace=espace,
                    document_id=document_id,
                    rang=rang + 1,
                    code=code,
                    analyse=empreinte_analyse(espace.pk, code),
                    date_observation=le,
                    contenu=json.dumps(contenu, ensure_ascii=False),
                )
            )
    with transaction.atomic():
        Resultat.objects.filter(espace=espace).delete()
        LectureResultats.objects.filter(document__espace=espace).delete()
        Resultat.objects.bulk_create(lignes, batch_size=2000)
        # A document touched: the space's token changes, no cached list of an earlier run.
        Document.objects.filter(pk=documents[0]).update(traite_le=timezone.now())
    with connection.cursor() as curseur:
        curseur.execute("ANALYZE")
    return attendus
