"""A vault storage that fails mid-write, as a full or read-only disk would (issue 14)."""

from __future__ import annotations

import errno
from typing import Any

from django.core.files.storage import FileSystemStorage


class StockageEnLectureSeule(FileSystemStorage):
    def _save(self, name: str, content: Any) -> str:
        for _morceau in content.chunks():  # the write had begun
            break
        raise OSError(errno.EROFS, "Read-only file system")
