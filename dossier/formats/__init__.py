"""The formats of a document: what an uploaded file really is, whether it is sound, its facts and
the images to show; the CDA, read and rendered.

Pure functions on ``bytes`` (the caller decrypts in memory): nothing is ever written to disk, no
temporary file, no path. Four questions, four entry points:

- :func:`.detection.detecter` — the nature of a file, from its content only (never its name), on
  its first 8 KiB. Anything that is not one of the accepted natures, or that could be read as
  something else too (polyglots), raises :class:`.commun.FichierRefuse` with a French message for
  the person.
- :func:`.validation.decrire` — deep validation and facts (:class:`.commun.Description`);
  :class:`.commun.FichierCorrompu` when the file is damaged, truncated, protected by a password,
  or too large to decode.
- :func:`.apercus.apercus` / :func:`.apercus.miniature` — images to show, PNG previews and JPEG
  thumbnails (metadata stripped, orientation applied, 8 bits, RGB or grey).
  :class:`.commun.ApercuImpossible` (a ``FichierCorrompu``) when the file is sound but cannot be
  rendered here (a DICOM compression we cannot decode), which ``decrire`` announces with
  ``apercu_possible=False``; ``miniature`` then gives None.

One module per job: ``commun`` (natures, errors, facts, size limits, the guard around third-party
parsers), ``detection``, ``validation``, ``apercus`` and ``pixels`` (what every renderer shares),
then one module per format: ``pdf``, ``images`` (JPEG, PNG, TIFF), ``dicom`` (with
``dicom_lecture``: the dataset and its frames, limits first), ``texte`` (text and RTF), and the
``cda`` package (reading a CDA, its narrative as HTML, CNAM-HR entries). Nothing is
re-exported here: callers import from the module that does the job.
"""
