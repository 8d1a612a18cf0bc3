"""The operators' admin of protection measures (tutelle, curatelle): helper H3."""

from __future__ import annotations
