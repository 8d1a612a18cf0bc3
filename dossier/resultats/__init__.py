"""Lab results (issue 16, docs/RESULTATS.md): the coded observations of structured lab
reports, read at ingestion (``lecture``), shown on the Résultats page and as a trend per
analysis (``selectors``, ``presentation``, ``views``), their reading journaled (``services``).
Read through their documents: ``espace_sante.acces.resultats_lisibles``."""
