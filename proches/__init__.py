"""Proches (docs/PROCHES.md): the second parent's invitation, carers (aidants) and protected
adults (tutelle, curatelle). The rules of who then reaches what are the access package's
(``espace_sante.acces``: roles ``representant``, ``aidant``, ``tuteur``, ``curateur``); this app
holds the flows that create and end those links, and their pages."""
