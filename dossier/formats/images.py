"""JPEG, PNG and TIFF images, with Pillow: validation and facts (size as displayed, TIFF pages),
then rendering; the size is checked before any decoding."""

from __future__ import annotations

import io
from collections.abc import Iterator

from PIL import Image, ImageOps

from .commun import Description, Nature, analyse, controler_pixels, controler_total
from .pixels import Encodeur, ajuster, rgb_ou_gris, taille_cible

_FORMATS_PILLOW = {Nature.JPEG: "JPEG", Nature.PNG: "PNG", Nature.TIFF: "TIFF"}


def _ouvrir_image(nature: Nature, donnees: bytes) -> Image.Image:
    """Open (lazily) an image of the expected format, size checked before any decoding."""
    with analyse(_message_image(nature)):
        image = Image.open(io.BytesIO(donnees), formats=[_FORMATS_PILLOW[nature]])
    controler_pixels(*image.size)
    return image


def _message_image(nature: Nature) -> str:
    return f"Cette image {_FORMATS_PILLOW[nature]} est endommagée ou incomplète."


def _pages(image: Image.Image) -> int:
    return int(getattr(image, "n_frames", 1))


def _orientee(taille: tuple[int, int], image: Image.Image) -> tuple[int, int]:
    """The size as displayed (or, the same swap, a displayed size as stored): EXIF orientations
    5 to 8 swap width and height."""
    orientation = image.getexif().get(0x0112, 1)
    return (taille[1], taille[0]) if orientation in (5, 6, 7, 8) else taille


def decrire_image(nature: Nature, donnees: bytes) -> Description:
    with analyse(_message_image(nature)):
        with _ouvrir_image(nature, donnees) as image:
            image.verify()
        with _ouvrir_image(nature, donnees) as image:
            pages = _pages(image) if nature is Nature.TIFF else 1
            largeur, hauteur = _orientee(image.size, image)
            total = 0
            for rang in range(pages):
                if rang:
                    image.seek(rang)
                    controler_pixels(*image.size)
                total += image.size[0] * image.size[1]
                controler_total(total)
                image.load()
    return Description(
        nature=nature, apercu_possible=True, pages=pages, largeur=largeur, hauteur=hauteur
    )


def rendus_image(
    nature: Nature, donnees: bytes, boite: tuple[int, int], limite: int, encoder: Encodeur
) -> Iterator[bytes]:
    with analyse(_message_image(nature)), _ouvrir_image(nature, donnees) as image:
        for rang in range(min(_pages(image) if nature is Nature.TIFF else 1, limite)):
            if rang:
                image.seek(rang)
                controler_pixels(*image.size)
            if image.format == "JPEG":  # decode at 1/2, 1/4 or 1/8 when that is enough
                image.draft(None, taille_cible(image.size, _orientee(boite, image)))
            orientee = ImageOps.exif_transpose(image)
            yield encoder(ajuster(rgb_ou_gris(orientee, boite), boite))
            del orientee
