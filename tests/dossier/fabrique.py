"""The files the tests upload: the demonstration generators, with test defaults."""

from __future__ import annotations

from ensemble.demo import cda as _cda
from ensemble.demo import dicom, jpeg, pdf, png


def cda(
    *, ins: str, code: str = "11502-2", titre: str = "CR de biologie", pdf_b64: str = ""
) -> bytes:
    return _cda(
        ins=ins,
        code=code,
        titre=titre,
        pdf_b64=pdf_b64,
        paragraphes=("TSH : 2,1 mUI/L normal", "<script>alert(1)</script>"),
    )


__all__ = ["cda", "dicom", "jpeg", "pdf", "png"]
