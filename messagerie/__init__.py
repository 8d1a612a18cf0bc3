"""The messagerie: conversations between a person (the holder of a space, or a minor's legal
representative) and their professionals, both ways, inside the access rules (docs/MESSAGERIE.md)."""
