"""``GET /fhir/metadata`` states exactly what is served: every FHIR route of the URL
configuration is an interaction of the statement and the reverse, and each resource's search
parameters are those its view accepts (an unknown one is refused, not ignored)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from fhir.resources.R4B.capabilitystatement import CapabilityStatement

from ..factories import document
from .conftest import ClientFhir

pytestmark = pytest.mark.django_db


def _routes_fhir() -> set[tuple[str, str]]:
    """(resource type or "", interaction) for every FHIR route, from the URL configuration and
    the methods and views behind it."""
    routes = set()

    def parcourir(resolveur: URLResolver, prefixe: str) -> None:
        for motif in resolveur.url_patterns:
            if isinstance(motif, URLResolver):
                parcourir(motif, prefixe + str(motif.pattern))
            elif isinstance(motif, URLPattern) and getattr(motif.callback, "api_fhir", False):
                chemin = (prefixe + str(motif.pattern)).removeprefix("fhir").strip("/")
                if chemin == "metadata":
                    routes.add(("", "capabilities"))
                elif not chemin:
                    routes.add(("", "transaction"))
                elif "/" in chemin:
                    routes.add((chemin.split("/")[0], "read"))
                else:
                    routes.add((chemin, "search-type"))

    parcourir(get_resolver(), "")
    return routes


def test_the_capability_statement_matches_the_url_configuration(client: Any) -> None:
    reponse = client.get(reverse("interop:metadata"))
    assert reponse.status_code == 200
    declaration = CapabilityStatement.model_validate_json(reponse.content)
    rest = declaration.rest[0]
    declare = {("", "capabilities")} | {("", i.code) for i in rest.interaction or []}
    for ressource in rest.resource:
        declare |= {(ressource.type, i.code) for i in ressource.interaction}
    assert declare == _routes_fhir()


def test_every_declared_search_parameter_is_accepted_and_no_other(
    api: ClientFhir, titulaire: Any
) -> None:
    declaration = CapabilityStatement.model_validate_json(
        api.client.get(reverse("interop:metadata")).content
    )
    document(titulaire)
    exemples = {
        "identifier": titulaire.ins,
        "patient.identifier": titulaire.ins,
        "patient": f"Patient/{titulaire.uuid}",
        "status": "current",
        "type": "11502-2",
        "category": "biologie",
        "date": "ge2020-01-01",
        "author.identifier": "urn:oid:1.2.250.1.71.4.2.1|810000000001",
        "_count": "5",
        "_offset": "0",
    }
    for ressource in declaration.rest[0].resource:
        if "search-type" not in {i.code for i in ressource.interaction}:
            continue
        url = f"/fhir/{ressource.type}"
        for parametre in ressource.searchParam or []:
            valeurs = {parametre.name: exemples[parametre.name]}
            if ressource.type == "DocumentReference" and parametre.name not in {
                "patient.identifier",
                "patient",
            }:
                valeurs["patient.identifier"] = titulaire.ins
            assert api.get(url, valeurs).status_code == 200, (url, parametre.name)
        assert api.get(url, {"_inconnu": "x"}).status_code == 400
