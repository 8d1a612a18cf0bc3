"""Reading the journal for one space (the caller has already checked the actor may)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

from django.db.models import QuerySet
from django.utils import timezone

from .models import Evenement, TypeActeur

ACTEURS_PROFESSIONNELS = [TypeActeur.PROFESSIONNEL]


def evenements_de_l_espace(
    *,
    espace_uuid: uuid.UUID,
    professionnels: bool,
    du: date | None = None,
    au: date | None = None,
    action: str = "",
) -> QuerySet[Evenement]:
    evenements = Evenement.objects.filter(espace_uuid=espace_uuid)
    if professionnels:
        evenements = evenements.filter(acteur_type__in=ACTEURS_PROFESSIONNELS)
    else:
        evenements = evenements.exclude(acteur_type__in=ACTEURS_PROFESSIONNELS)
    tz = timezone.get_current_timezone()
    if du:
        evenements = evenements.filter(horodatage__gte=datetime.combine(du, time.min, tzinfo=tz))
    if au:
        evenements = evenements.filter(horodatage__lte=datetime.combine(au, time.max, tzinfo=tz))
    if action:
        evenements = evenements.filter(action=action)
    return evenements.order_by("-horodatage", "-id")
