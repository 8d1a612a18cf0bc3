"""What reads across the whole space (docs/ARCHITECTURE.md): the top layer, above profil,
dossier and professionnels, which import nothing from it."""
