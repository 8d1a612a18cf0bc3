"""Uploads: nothing reaches the vault before the view has accepted the request, and no
plaintext ever reaches a temporary file.

- ``FichiersIgnores`` is the default handler (``FILE_UPLOAD_HANDLERS``). The CSRF middleware
  parses the body of every POST before any view or permission check runs: on a URL that does
  not expect an upload, file parts are dropped as they are read (not in memory, not in a
  temporary file, not in the vault).
- An upload view is decorated with ``vue_de_televersement`` (the CSRF middleware then leaves its
  body unread) and calls ``televersement_ouvrir`` right after its access check: only then is the
  vault's handler installed, and the CSRF token checked (which parses the body).
- ``TeleversementChiffre`` encrypts each chunk as it is received; the ciphertext is spooled
  (memory, then a temporary file: ciphertext only). The view receives a ``FichierChiffre``, stored
  when the view first uses it (``attente``: turn it into a row with ``blob_enregistrer``; reading
  it decrypts from storage). A request refused by the CSRF check, or by the view before it uses
  its files, stores nothing: the decorator closes the spools of the files never used.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers, StopUpload
from django.http import HttpRequest, HttpResponseBase
from django.middleware.csrf import CsrfViewMiddleware

from .models import Blob
from .services import (
    MORCEAU,
    BlobEnAttente,
    EcrivainBlob,
    TropVolumineux,
    _effacer,
    blob_lire,
    empreinte_blob,
)
from .stockage import FluxSortant

MARGE_MULTIPART = 64 * 1024


class FichierChiffre(UploadedFile):
    """An uploaded file, encrypted; stored in the vault on first use (``attente``), and reading
    it decrypts it (streaming)."""

    def __init__(self, ecrivain: EcrivainBlob, *, name: str, content_type: str) -> None:
        self._ecrivain: EcrivainBlob | None = ecrivain
        self._attente: BlobEnAttente | None = None
        super().__init__(
            file=None, name=name, content_type=content_type, size=ecrivain.taille, charset=None
        )

    @property
    def stocke(self) -> bool:
        return self._attente is not None

    @property
    def attente(self) -> BlobEnAttente:
        """The stored object. Stored now if it is not yet: the view uses the file, so it has
        accepted the upload."""
        if self._attente is None:
            if self._ecrivain is None:
                raise ValueError("upload abandoned")
            self._attente = self._ecrivain.stocker()
            self._ecrivain = None
        return self._attente

    def _clair(self) -> Iterator[bytes]:
        a = self.attente
        blob = Blob(
            id=a.id,
            nom=a.nom,
            taille=a.taille,
            taille_chiffree=0,
            sha256=empreinte_blob(a.sha256),
            media_type=a.media_type,
            segment=a.segment,
            cle_id=a.cle.cle_id,
            cle_enveloppee=a.cle.enveloppe,
        )
        return blob_lire(blob, verifier_empreinte=True)

    def open(self, mode: str | None = None, *args: Any, **kwargs: Any) -> FichierChiffre:
        self.file = FluxSortant(self._clair(), self.size)  # type: ignore[assignment]
        return self

    def read(self, *args: Any) -> bytes:
        if self.file is None:
            self.open()
        return self.file.read(*args)  # type: ignore[union-attr]

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        yield from self._clair()

    def multiple_chunks(self, chunk_size: int | None = None) -> bool:
        return True

    def abandonner(self) -> None:
        """Keep nothing (the upload is refused after all): delete the stored object, or close
        the spool of a file never stored."""
        if self._attente is not None:
            _effacer(self._attente.nom)
        elif self._ecrivain is not None:
            self._ecrivain.abandonner()
            self._ecrivain = None

    def close(self) -> None:
        self.file = None


class FichiersIgnores(FileUploadHandler):
    """The default handler: every file part is dropped as it is read (see the module)."""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        return None

    def file_complete(self, file_size: int) -> None:
        return None


class TeleversementChiffre(FileUploadHandler):
    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.ecrivain: EcrivainBlob | None = None
        self.maximum = settings.VAULT_MAX_UPLOAD
        self.trop_gros = False

    def _refuser(self, message: str) -> None:
        if self.request is not None:
            self.request.refus_televersement = message  # type: ignore[attr-defined]
        if self.ecrivain is not None:
            self.ecrivain.abandonner()
            self.ecrivain = None
        raise StopUpload(connection_reset=False)

    def handle_raw_input(
        self,
        input_data: Any,
        META: Any,
        content_length: int,
        boundary: Any,
        encoding: str | None = None,
    ) -> None:
        self.trop_gros = content_length > limite_televersement()

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        if self.trop_gros:
            self._refuser(_message_trop_gros(self.maximum))
        self.ecrivain = EcrivainBlob(media_type=self.content_type or "", taille_max=self.maximum)
        raise StopFutureHandlers()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        assert self.ecrivain is not None
        try:
            self.ecrivain.ecrire(raw_data)
        except TropVolumineux:
            self._refuser(_message_trop_gros(self.maximum))

    def file_complete(self, file_size: int) -> FichierChiffre | None:
        if self.ecrivain is None:
            return None
        ecrivain, self.ecrivain = self.ecrivain, None
        ecrivain.clore()  # nothing stored yet: see FichierChiffre.attente
        return FichierChiffre(
            ecrivain, name=self.file_name or "fichier", content_type=self.content_type or ""
        )

    def upload_interrupted(self) -> None:
        if self.ecrivain is not None:
            self.ecrivain.abandonner()
            self.ecrivain = None


def limite_televersement() -> int:
    """The largest body an upload URL accepts: the vault's maximum and the multipart framing."""
    return int(settings.VAULT_MAX_UPLOAD) + MARGE_MULTIPART


def _message_trop_gros(maximum: int) -> str:
    mo = maximum // (1024 * 1024)
    return f"Le fichier dépasse la taille maximale de {mo} Mo : rien n'a été gardé."


class TeleversementRefuse(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def fichier_televerse(request: HttpRequest, champ: str) -> FichierChiffre:
    """The uploaded file of ``champ``, encrypted (stored on first use); or a refusal to show.
    Only after ``televersement_ouvrir``. An empty file is refused too (and not kept)."""
    fichier = request.FILES.get(champ)  # parses the body: the handler runs now
    refus = getattr(request, "refus_televersement", None)
    if refus:
        raise TeleversementRefuse(refus)
    if not isinstance(fichier, FichierChiffre):
        raise TeleversementRefuse("Aucun fichier n'a été reçu : choisissez un fichier.")
    if fichier.size == 0:
        fichier.abandonner()
        raise TeleversementRefuse("Le fichier est vide : rien n'a été gardé.")
    return fichier


# --- Upload views ------------------------------------------------------------------------------

Vue = TypeVar("Vue", bound=Callable[..., HttpResponseBase])


class _CsrfRefuse(Exception):
    def __init__(self, reponse: HttpResponseBase) -> None:
        super().__init__("CSRF")
        self.reponse = reponse


def _requete(args: tuple[Any, ...]) -> HttpRequest:
    return next(a for a in args if isinstance(a, HttpRequest))  # a function view or a method


def _fichiers_recus(request: HttpRequest) -> list[FichierChiffre]:
    if not hasattr(request, "_files"):  # the body was never parsed
        return []
    return [
        f
        for champ in request.FILES
        for f in request.FILES.getlist(champ)
        if isinstance(f, FichierChiffre)
    ]


def vue_de_televersement(vue: Vue) -> Vue:
    """Mark an upload view. The CSRF middleware leaves its body unread (``csrf_exempt``): the
    view calls ``televersement_ouvrir`` right after its access check, which installs the vault's
    handler and then checks the CSRF token. Reading POST or FILES before that is a programming
    error, refused. Files the view never used are closed without being stored; a CSRF refusal
    returns the usual 403 page. ``LimiteCorpsMiddleware`` gives these URLs the upload limit."""

    @functools.wraps(vue)
    def enveloppe(*args: Any, **kwargs: Any) -> HttpResponseBase:
        request = _requete(args)
        charger = request._load_post_and_files

        def charger_apres_controle() -> None:
            if request.method == "POST" and not getattr(request, "televersement_ouvert", False):
                raise RuntimeError("upload view read its body before televersement_ouvrir")
            charger()

        request._load_post_and_files = charger_apres_controle  # type: ignore[method-assign]
        try:
            return vue(*args, **kwargs)
        except _CsrfRefuse as refus:
            return refus.reponse
        finally:
            # An error page (404, 403: ``requires_csrf_token``) may parse the body after the
            # view: with the default handler, unless the view had opened the upload.
            del request._load_post_and_files
            for fichier in _fichiers_recus(request):
                if not fichier.stocke:
                    fichier.abandonner()

    enveloppe.csrf_exempt = True  # type: ignore[attr-defined]
    enveloppe.televersement = True  # type: ignore[attr-defined]
    return enveloppe  # type: ignore[return-value]


def _reponse_vide(request: HttpRequest) -> HttpResponseBase:
    raise AssertionError("never called: only the CSRF check is used")


def televersement_ouvrir(request: HttpRequest) -> None:
    """Call in an upload view once the actor's access is checked, before anything reads POST
    or FILES: files are encrypted by the vault's handler from now on; then the CSRF token is
    checked, as the middleware would have done (a refusal keeps nothing and answers 403)."""
    request.upload_handlers = [TeleversementChiffre(request)]
    request.televersement_ouvert = True  # type: ignore[attr-defined]
    refus = CsrfViewMiddleware(_reponse_vide).process_view(request, _reponse_vide, (), {})
    if refus is not None:
        for fichier in _fichiers_recus(request):
            fichier.abandonner()
        raise _CsrfRefuse(refus)


def fichier_chiffre_de(donnees: bytes, *, nom: str, media_type: str) -> FichierChiffre:
    """Plaintext already in memory (a FHIR Binary, a message's attachment) handed on as an
    upload would arrive: encrypted now, stored when used. ``TropVolumineux`` beyond the upload
    limit (nothing kept)."""
    ecrivain = EcrivainBlob(media_type=media_type, taille_max=settings.VAULT_MAX_UPLOAD)
    try:
        vue = memoryview(donnees)
        for debut in range(0, len(vue), MORCEAU):
            ecrivain.ecrire(vue[debut : debut + MORCEAU])
        ecrivain.clore()
    except BaseException:
        ecrivain.abandonner()
        raise
    return FichierChiffre(ecrivain, name=nom[:100], content_type=media_type)
