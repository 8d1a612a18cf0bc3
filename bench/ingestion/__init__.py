"""The ingestion bench's own parts (``bench/ingest.py`` keeps the phases, the table, ``main``).

- ``entrees``: the documents submitted (demo letters, CI-SIS biology reports) and one deposit;
- ``cr_bio``: structured lab reports (CR-BIO level 3, 20 coded results) for ``cda-bio``;
- ``producteurs``: the producer processes (this bench's script run with ``--producteur``);
- ``mesure``: what a phase measured, and who used the CPU meanwhile;
- ``verification``: every document checked after the phases;
- ``profil``: ``--profile``, the pipeline's stages timed in this process, then under cProfile.
"""
