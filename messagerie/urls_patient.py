from __future__ import annotations

urlpatterns: list = []  # the patient's pages (issue 18)
