"""The aidants pages' addresses (included by proches/urls.py, namespace "proches")."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
