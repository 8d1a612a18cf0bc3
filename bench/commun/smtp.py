"""A loopback SMTP server for the benches (aiosmtpd is not in the project's dependencies):
threads speaking the protocol's plain subset (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT),
each message read to its final dot as a real server would, its ``Message-ID`` counted."""

from __future__ import annotations

import re
import socketserver
import threading
from collections import Counter

MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>]+>)", re.IGNORECASE | re.MULTILINE)


class _Session(socketserver.StreamRequestHandler):
    server: ServeurSMTP

    def _dire(self, ligne: bytes) -> None:
        self.wfile.write(ligne + b"\r\n")

    def handle(self) -> None:
        self._dire(b"220 bench ESMTP")
        while True:
            ligne = self.rfile.readline()
            if not ligne:
                return
            verbe = ligne[:4].upper()
            if verbe == b"EHLO":
                self._dire(b"250-bench")
                self._dire(b"250 8BITMIME")
            elif verbe == b"DATA":
                self._dire(b"354 go ahead")
                morceaux = []
                while True:
                    morceau = self.rfile.readline()
                    if not morceau or morceau == b".\r\n":
                        break
                    morceaux.append(morceau)
                self.server.recu(b"".join(morceaux))
                self._dire(b"250 2.0.0 queued")
            elif verbe == b"QUIT":
                self._dire(b"221 bye")
                return
            else:  # HELO, MAIL, RCPT, RSET, NOOP
                self._dire(b"250 OK")


class ServeurSMTP(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int) -> None:
        super().__init__(("127.0.0.1", port), _Session)
        self.verrou = threading.Lock()
        self.ids: Counter[bytes] = Counter()
        self.sans_id = 0

    def recu(self, message: bytes) -> None:
        trouve = MESSAGE_ID.search(message)
        with self.verrou:
            if trouve:
                self.ids[trouve.group(1)] += 1
            else:
                self.sans_id += 1

    def demarrer(self) -> threading.Thread:
        fil = threading.Thread(target=self.serve_forever, daemon=True)
        fil.start()
        return fil
