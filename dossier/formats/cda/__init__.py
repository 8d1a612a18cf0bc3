"""Lecture sûre des documents CDA R2 du CI-SIS (DESIGN.md §8), en modules purs : ni Django, ni
base, ni réseau.

- ``analyse`` : l'analyse XML durcie que tout lecteur de CDA emprunte, et ``CDAInvalide`` ;
- ``lecture`` : ``lire_cda``, les faits d'un document (en-tête, corps structuré ou PDF intégré) ;
- ``narratif`` : le bloc narratif d'une section converti en HTML sûr, par liste blanche ;
- ``cnam_hr`` : les entrées d'un historique de remboursements CNAM-HR (type REMB).
"""
