"""Deep validation and facts of a file whose nature is known: :func:`decrire`, which hands the
file to its format's reader."""

from __future__ import annotations

from .commun import Description, FichierCorrompu, Nature
from .dicom import decrire_dicom
from .images import decrire_image
from .pdf import decrire_pdf
from .texte import decrire_texte


def decrire(nature: Nature, donnees: bytes) -> Description:
    """Validate the file deeply and read its facts. Raises :class:`FichierCorrompu`."""
    if not donnees:
        raise FichierCorrompu("Le fichier est vide.")
    match nature:
        case Nature.PDF:
            return decrire_pdf(donnees)
        case Nature.JPEG | Nature.PNG | Nature.TIFF:
            return decrire_image(nature, donnees)
        case Nature.DICOM:
            return decrire_dicom(donnees)
        case Nature.TEXTE | Nature.RTF:
            return decrire_texte(nature, donnees)
        case Nature.CDA:
            return Description(nature=nature, apercu_possible=False)
    raise FichierCorrompu("Nature de fichier inconnue.")  # pragma: no cover
