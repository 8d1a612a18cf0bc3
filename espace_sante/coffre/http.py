"""Serving a blob: decrypted while it streams, with byte ranges for inline viewing."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from .models import Blob
from .services import BlobIllisible, blob_lire, blob_plage

_PLAGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _plage(entete: str, taille: int) -> tuple[int, int] | bool | None:
    """(start, end) for a single satisfiable range; None when absent or ignored; False when
    unsatisfiable."""
    correspondance = _PLAGE.match(entete.strip())
    if correspondance is None or taille == 0:
        return None
    debut, fin = correspondance.groups()
    if not debut and not fin:
        return None
    if not debut:
        longueur = int(fin)
        if longueur == 0:
            return False
        return max(taille - longueur, 0), taille - 1
    premier = int(debut)
    dernier = min(int(fin), taille - 1) if fin else taille - 1
    if premier >= taille or (fin and int(fin) < premier):
        return False
    return premier, dernier


def reponse_blob(
    request: HttpRequest,
    blob: Blob,
    *,
    nom_fichier: str,
    en_ligne: bool = False,
    en_cas_d_echec: Callable[[BlobIllisible], None],
) -> HttpResponseBase:
    """Stream a blob's plaintext. The first segment is decrypted before the response starts, so
    a missing object, a wrong key or an altered start get a clear error page; an altered later
    segment stops the stream there (nothing unauthenticated is ever sent)."""
    plage = _plage(request.headers.get("Range", ""), blob.taille)
    if plage is False:
        refus = HttpResponse(status=416)
        refus["Content-Range"] = f"bytes */{blob.taille}"
        return refus
    if plage:
        debut, fin = plage  # type: ignore[misc]
        morceaux = blob_plage(blob, debut, fin)
    else:
        debut, fin = 0, blob.taille - 1
        morceaux = blob_lire(blob)
    try:
        premier = next(morceaux, b"")
    except BlobIllisible as erreur:
        en_cas_d_echec(erreur)
        return render(request, "coffre/illisible.html", {"erreur": erreur}, status=500)

    def flux() -> Iterator[bytes]:
        yield premier
        try:
            yield from morceaux
        except BlobIllisible as erreur:
            en_cas_d_echec(erreur)
            raise

    statut = 206 if plage else 200
    reponse: HttpResponseBase = StreamingHttpResponse(
        flux(), content_type=blob.media_type, status=statut
    )
    reponse["Content-Length"] = str(fin - debut + 1 if blob.taille else 0)
    if plage:
        reponse["Content-Range"] = f"bytes {debut}-{fin}/{blob.taille}"
    reponse["Accept-Ranges"] = "bytes"
    reponse["Content-Disposition"] = content_disposition_header(not en_ligne, nom_fichier) or ""
    reponse["X-Content-Type-Options"] = "nosniff"
    reponse["Cache-Control"] = "private, no-store"
    # A stored file is never trusted as a page of this site, even when shown inline (the PDF
    # viewer of browsers does not run in a sandbox, PDFs get the rest of the policy).
    politique = (
        "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'"
    )
    if blob.media_type != "application/pdf":
        politique += "; sandbox"
    reponse["Content-Security-Policy"] = politique + "; frame-ancestors 'self'"
    reponse["X-Frame-Options"] = "SAMEORIGIN" if en_ligne else "DENY"
    return reponse
