"""The national lists professionals are described with: professions (TRE_G15 "profession de
santé", plus the psychologue of TRE_R94, as in the CI-SIS value set JDV_J01) and the médecins'
specialties (the SM qualifications of TRE_R38 most often met). Codes are kept as published so
that author specialties read from DMP metadata map onto them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Profession(models.TextChoices):
    MEDECIN = "10", _("Médecin")
    PHARMACIEN = "21", _("Pharmacien")
    AUDIOPROTHESISTE = "26", _("Audioprothésiste")
    OPTICIEN = "28", _("Opticien-lunetier")
    CHIRURGIEN_DENTISTE = "40", _("Chirurgien-dentiste")
    SAGE_FEMME = "50", _("Sage-femme")
    INFIRMIER = "60", _("Infirmier")
    MASSEUR_KINE = "70", _("Masseur-kinésithérapeute")
    PEDICURE_PODOLOGUE = "80", _("Pédicure-podologue")
    ORTHOPROTHESISTE = "81", _("Orthoprothésiste")
    PODO_ORTHESISTE = "82", _("Podo-orthésiste")
    ORTHOPEDISTE_ORTHESISTE = "83", _("Orthopédiste-orthésiste")
    OCULARISTE = "84", _("Oculariste")
    EPITHESISTE = "85", _("Épithésiste")
    TECHNICIEN_LABORATOIRE = "86", _("Technicien de laboratoire médical")
    ORTHOPHONISTE = "91", _("Orthophoniste")
    ORTHOPTISTE = "92", _("Orthoptiste")
    PSYCHOLOGUE = "93", _("Psychologue")
    ERGOTHERAPEUTE = "94", _("Ergothérapeute")
    DIETETICIEN = "95", _("Diététicien")
    PSYCHOMOTRICIEN = "96", _("Psychomotricien")
    MANIPULATEUR_ERM = "98", _("Manipulateur d'électroradiologie médicale")


# Professions whose members are addressed as "Dr" (holders of a State doctorate).
PROFESSIONS_DOCTEUR = {Profession.MEDECIN, Profession.CHIRURGIEN_DENTISTE, Profession.PHARMACIEN}


class Specialite(models.TextChoices):
    MEDECINE_GENERALE = "SM54", _("Médecine générale")
    ALLERGOLOGIE = "SM57", _("Allergologie")
    ANESTHESIE = "SM02", _("Anesthésie-réanimation")
    BIOLOGIE = "SM03", _("Biologie médicale")
    CARDIOLOGIE = "SM04", _("Cardiologie et maladies vasculaires")
    CHIRURGIE_GENERALE = "SM05", _("Chirurgie générale")
    CHIRURGIE_ORTHOPEDIQUE = "SM08", _("Chirurgie orthopédique et traumatologie")
    DERMATOLOGIE = "SM15", _("Dermatologie et vénéréologie")
    ENDOCRINOLOGIE = "SM16", _("Endocrinologie et métabolisme")
    GASTRO = "SM24", _("Gastro-entérologie et hépatologie")
    GENETIQUE = "SM17", _("Génétique médicale")
    GERIATRIE = "SM18", _("Gériatrie")
    GYNECOLOGIE_MEDICALE = "SM19", _("Gynécologie médicale")
    GYNECOLOGIE_OBSTETRIQUE = "SM20", _("Gynécologie-obstétrique")
    HEMATOLOGIE = "SM21", _("Hématologie")
    MALADIES_INFECTIEUSES = "SM58", _("Maladies infectieuses et tropicales")
    MEDECINE_DU_TRAVAIL = "SM25", _("Médecine du travail")
    MEDECINE_INTERNE = "SM27", _("Médecine interne")
    MEDECINE_NUCLEAIRE = "SM28", _("Médecine nucléaire")
    MEDECINE_PHYSIQUE = "SM29", _("Médecine physique et réadaptation")
    MEDECINE_URGENCE = "SM59", _("Médecine d'urgence")
    NEPHROLOGIE = "SM30", _("Néphrologie")
    NEUROCHIRURGIE = "SM31", _("Neurochirurgie")
    NEUROLOGIE = "SM32", _("Neurologie")
    OPHTALMOLOGIE = "SM38", _("Ophtalmologie")
    ONCOLOGIE = "SM36", _("Oncologie médicale")
    ORL = "SM34", _("ORL et chirurgie cervico-faciale")
    PEDIATRIE = "SM40", _("Pédiatrie")
    PNEUMOLOGIE = "SM41", _("Pneumologie")
    PSYCHIATRIE = "SM42", _("Psychiatrie")
    PSYCHIATRIE_ENFANT = "SM43", _("Psychiatrie de l'enfant et de l'adolescent")
    RADIOLOGIE = "SM44", _("Radiodiagnostic et imagerie médicale")
    RADIOTHERAPIE = "SM45", _("Radiothérapie")
    REANIMATION = "SM46", _("Médecine intensive-réanimation")
    RHUMATOLOGIE = "SM48", _("Rhumatologie")
    SANTE_PUBLIQUE = "SM49", _("Santé publique et médecine sociale")
    UROLOGIE = "SM12", _("Chirurgie urologique")
