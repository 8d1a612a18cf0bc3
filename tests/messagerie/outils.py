"""Helpers for the messagerie's tests: attachments as the upload handler hands them over."""

from __future__ import annotations

from espace_sante.coffre.televersement import FichierChiffre, fichier_chiffre_de

from ..dossier.test_fichiers import pdf


def fichier(
    contenu: bytes | None = None, nom: str = "compte-rendu.pdf", media_type: str = "application/pdf"
) -> FichierChiffre:
    return fichier_chiffre_de(
        pdf(1) if contenu is None else contenu, nom=nom, media_type=media_type
    )
