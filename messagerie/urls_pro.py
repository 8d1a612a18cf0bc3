from __future__ import annotations

urlpatterns: list = []  # the professional's pages (issue 18)
