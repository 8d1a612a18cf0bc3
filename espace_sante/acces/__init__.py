"""Who may read and write what (DESIGN.md §4): the one place where the access rules live.

Every actor reaches a space through an ``Acces`` (``acteurs``): the holder or a legal
representative (``AccesPatient``, found by ``espace_pour_acteur``), or a professional
(``AccesPro``, found by ``acces_professionnel``); an operator never holds one. Views, services
and selectors ask the rules below with that access; templates only read the booleans their view
computed. Everything here returns querysets, booleans or raises 404: nothing that is not
allowed is ever loaded from the database.

- ``espaces``: which spaces the holder and representatives may act for (one statement, hand
  built for speed with ``espace_sante.lib.sql``), and who exports a space;
- ``autorisations``: rules 1–3 for professionals — verified account, not blocked, an active
  grant, médecin traitant or a running emergency access the holder allows;
- ``matrice``: rule 4, the habilitation matrix;
- ``documents``: rules 4–5 and the patient's side, the author, who replaces and releases,
  a professional's deposits (a refused one is its author's record, not the space's document),
  what the matrix keeps from a professional (a count),
  who is told that a document was added, which DMP import conflicts the patient's side
  decides, and the lab results read through their documents;
- ``profil``: who reads the medical profile and writes which part of it (sections open to
  professionals, parts reserved to the adult holder);
- ``secret_mineur``: a minor's secrets — who marks them, who never reads them, the history.

The policy table (tests/acces/test_politique.py) checks every rule from DESIGN.md.
"""

from __future__ import annotations

from .acteurs import (
    PERIMETRES,
    Acces,
    AccesPatient,
    AccesPro,
    Motif,
    Role,
    Rubrique,
    acteur_professionnel,
)
from .autorisations import (
    acces_professionnel,
    autorisation_active,
    espaces_autorises,
    motifs,
    peut_etre_medecin_traitant,
    professionnel_actif,
    urgence_possible,
    urgences_valables,
)
from .documents import (
    SOURCES_DEPOT_PRO,
    conflits_import_lisibles,
    depot_refuse,
    depots_du_professionnel,
    destinataires_nouveau_document,
    documents_lisibles,
    est_auteur,
    nombre_depots_hors_acces,
    nombre_hors_matrice,
    peut_cacher_au_patient,
    peut_liberer,
    peut_remplacer,
    refus_a_signaler,
    resultats_lisibles,
)
from .espaces import (
    espace_pour_acteur,
    espace_pour_acteur_avec,
    espace_pour_lecture,
    espaces_accessibles,
    lisible_clos,
    peut_exporter,
)
from .matrice import peut_lire_type
from .profil import (
    directives_lisibles,
    entrees_profil_lisibles,
    majeur_titulaire,
    peut_ecrire_section,
    peut_ecrire_unique,
    profil_lisible,
)
from .secret_mineur import evenements_lisibles, lit_les_secrets, marque_secret, peut_marquer_secret

__all__ = [
    "PERIMETRES",
    "SOURCES_DEPOT_PRO",
    "Acces",
    "AccesPatient",
    "AccesPro",
    "Motif",
    "Role",
    "Rubrique",
    "acces_professionnel",
    "acteur_professionnel",
    "autorisation_active",
    "conflits_import_lisibles",
    "depot_refuse",
    "depots_du_professionnel",
    "destinataires_nouveau_document",
    "directives_lisibles",
    "documents_lisibles",
    "entrees_profil_lisibles",
    "espace_pour_acteur",
    "espace_pour_acteur_avec",
    "espace_pour_lecture",
    "espaces_accessibles",
    "espaces_autorises",
    "est_auteur",
    "evenements_lisibles",
    "lisible_clos",
    "lit_les_secrets",
    "majeur_titulaire",
    "marque_secret",
    "motifs",
    "nombre_depots_hors_acces",
    "nombre_hors_matrice",
    "peut_cacher_au_patient",
    "peut_ecrire_section",
    "peut_ecrire_unique",
    "peut_etre_medecin_traitant",
    "peut_exporter",
    "peut_liberer",
    "peut_lire_type",
    "peut_marquer_secret",
    "peut_remplacer",
    "professionnel_actif",
    "profil_lisible",
    "refus_a_signaler",
    "resultats_lisibles",
    "urgence_possible",
    "urgences_valables",
]
