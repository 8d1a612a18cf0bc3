from __future__ import annotations

from django.contrib import admin

from .models import NoteChiffree

admin.site.register(NoteChiffree)
