"""Encrypted free text: transparent to the ORM, forms and admin; ciphertext in the database."""

from __future__ import annotations

import os
import subprocess

import pytest
from django import forms
from django.core.management import call_command
from django.db import connection

from espace_sante.coffre.champs import PREFIXE, cle_du_texte, textes_rechiffrer
from espace_sante.coffre.cles import CleIndisponible
from espace_sante.lib.envkeys import KeySet
from tests.appli_test.models import NoteChiffree

from ..conftest import client_pour
from ..factories import UtilisateurFactory

SECRET = "Directives anticipées : pas d'acharnement — Camille MARTIN, VIH+"


def _brut(note: NoteChiffree, champ: str = "texte") -> str:
    with connection.cursor() as curseur:
        curseur.execute(f"SELECT {champ} FROM appli_test_notechiffree WHERE id = %s", [note.pk])
        return str(curseur.fetchone()[0])


@pytest.mark.django_db
def test_the_orm_reads_plain_text_and_the_database_holds_ciphertext() -> None:
    note = NoteChiffree.objects.create(proprietaire=UtilisateurFactory(), texte=SECRET)
    assert NoteChiffree.objects.get(pk=note.pk).texte == SECRET
    brut = _brut(note)
    assert brut.startswith(PREFIXE) and "Camille" not in brut and "VIH" not in brut
    autre = NoteChiffree.objects.create(proprietaire=note.proprietaire, texte=SECRET)
    assert _brut(autre) != brut  # a fresh nonce every time


@pytest.mark.django_db
def test_empty_and_null_stay_queryable() -> None:
    vide = NoteChiffree.objects.create(proprietaire=UtilisateurFactory(), texte="", autre=None)
    assert NoteChiffree.objects.filter(autre__isnull=True).get() == vide
    with pytest.raises(TypeError):
        NoteChiffree.objects.filter(texte__icontains="x").exists()


@pytest.mark.django_db
def test_a_value_moved_to_another_field_does_not_decrypt() -> None:
    note = NoteChiffree.objects.create(proprietaire=UtilisateurFactory(), texte=SECRET, autre="x")
    with connection.cursor() as curseur:
        curseur.execute("UPDATE appli_test_notechiffree SET autre = texte WHERE id = %s", [note.pk])
    with pytest.raises(CleIndisponible):
        NoteChiffree.objects.get(pk=note.pk)


@pytest.mark.django_db
def test_model_forms_and_the_admin_see_plain_text(settings) -> None:  # type: ignore[no-untyped-def]
    class NoteForm(forms.ModelForm):  # type: ignore[type-arg]
        class Meta:
            model = NoteChiffree
            fields = ["texte"]

    proprietaire = UtilisateurFactory()
    form = NoteForm(data={"texte": SECRET}, instance=NoteChiffree(proprietaire=proprietaire))
    assert form.is_valid()
    note = form.save()
    assert "Camille MARTIN, VIH+" in str(NoteForm(instance=note)["texte"])
    admin = UtilisateurFactory(is_staff=True, is_superuser=True)
    page = client_pour(admin).get(f"/admin/appli_test/notechiffree/{note.pk}/change/")
    assert page.status_code == 200 and "pas d&#x27;acharnement" in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_database_dump_contains_no_plaintext(tmp_path) -> None:  # type: ignore[no-untyped-def]
    NoteChiffree.objects.create(proprietaire=UtilisateurFactory(), texte=SECRET, autre=SECRET)
    if connection.vendor == "sqlite":
        dump = "\n".join(connection.connection.iterdump())
    else:
        reglages = connection.settings_dict
        env = {**os.environ, "PGPASSWORD": reglages.get("PASSWORD") or ""}
        dump = subprocess.run(
            [
                "pg_dump",
                "--data-only",
                "-h",
                reglages["HOST"] or "127.0.0.1",
                "-p",
                str(reglages["PORT"] or 5432),
                "-U",
                reglages["USER"],
                reglages["NAME"],
            ],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        ).stdout
    assert "appli_test_notechiffree" in dump and PREFIXE in dump
    assert "acharnement" not in dump and "Camille" not in dump


@pytest.mark.django_db
def test_rotate_keys_reencrypts_text_under_the_active_key(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ENCRYPTION_KEYS = KeySet(keys={"k1": b"\x01" * 32}, active="k1")
    notes = [
        NoteChiffree.objects.create(proprietaire=UtilisateurFactory(), texte=f"{SECRET} {i}")
        for i in range(3)
    ]
    assert {cle_du_texte(_brut(n)) for n in notes} == {"k1"}
    settings.ENCRYPTION_KEYS = KeySet(keys={"k1": b"\x01" * 32, "k2": b"\x02" * 32}, active="k2")
    call_command("rotate_keys", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert textes_rechiffrer() == 0
    settings.ENCRYPTION_KEYS = KeySet(keys={"k2": b"\x02" * 32}, active="k2")
    for i, note in enumerate(notes):
        assert cle_du_texte(_brut(note)) == "k2"
        assert NoteChiffree.objects.get(pk=note.pk).texte == f"{SECRET} {i}"
