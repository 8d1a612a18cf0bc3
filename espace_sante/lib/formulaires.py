"""Form fields every app's forms share."""

from __future__ import annotations

from django import forms


class ChampDate(forms.DateField):
    """A date typed with the browser's date picker (ISO value, as the input type requires)."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
