"""A loopback TCP proxy the fault tests put between the application and a service (PostgreSQL,
Redis), to cut and restore the connection on demand without touching the machine's shared
services (issue 14).

    with ProxyTCP("127.0.0.1", 5432) as proxy:
        url = f"postgres://postgres@127.0.0.1:{proxy.port}/…"
        …
        proxy.couper()      # every open connection is reset, new ones are refused
        proxy.retablir()    # new connections go through again

While cut, the listening socket stays bound (the port never changes) but every connection it
accepts is closed at once, as a service that is restarting would do.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
from types import TracebackType


class ProxyTCP:
    def __init__(self, hote: str, port: int) -> None:
        self.cible = (hote, port)
        self._ecoute = socket.create_server(("127.0.0.1", 0))
        self._ecoute.settimeout(0.2)
        self.port: int = self._ecoute.getsockname()[1]
        self._coupe = threading.Event()
        self._arret = threading.Event()
        self._verrou = threading.Lock()
        self._paires: list[tuple[socket.socket, socket.socket]] = []
        self._fil = threading.Thread(target=self._accepter, name="proxy-tcp", daemon=True)
        self.connexions = 0  # accepted and forwarded, since the start

    # --- control ---------------------------------------------------------------------------

    def demarrer(self) -> ProxyTCP:
        self._fil.start()
        return self

    def couper(self) -> None:
        """Reset every open connection and refuse new ones until ``retablir``."""
        self._coupe.set()
        with self._verrou:
            paires, self._paires = self._paires, []
        for client, serveur in paires:
            _fermer(client, reinitialiser=True)
            _fermer(serveur, reinitialiser=True)

    def retablir(self) -> None:
        self._coupe.clear()

    @property
    def coupe(self) -> bool:
        return self._coupe.is_set()

    def arreter(self) -> None:
        self._arret.set()
        self.couper()
        self._fil.join(timeout=5)
        self._ecoute.close()

    def __enter__(self) -> ProxyTCP:
        return self.demarrer()

    def __exit__(
        self,
        type_: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.arreter()

    # --- forwarding ------------------------------------------------------------------------

    def _accepter(self) -> None:
        while not self._arret.is_set():
            try:
                client, _ = self._ecoute.accept()
            except (TimeoutError, OSError):
                continue
            if self._coupe.is_set():
                _fermer(client, reinitialiser=True)
                continue
            try:
                serveur = socket.create_connection(self.cible, timeout=5)
            except OSError:
                _fermer(client, reinitialiser=True)
                continue
            for s in (client, serveur):
                s.settimeout(None)
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._verrou:
                self._paires.append((client, serveur))
                self.connexions += 1
            threading.Thread(
                target=self._relayer, args=(client, serveur), name="proxy-tcp-relai", daemon=True
            ).start()

    def _relayer(self, client: socket.socket, serveur: socket.socket) -> None:
        vers = {client: serveur, serveur: client}
        with selectors.DefaultSelector() as selecteur:
            for s in vers:
                selecteur.register(s, selectors.EVENT_READ)
            try:
                while not self._arret.is_set():
                    for cle, _ in selecteur.select(timeout=0.2):
                        source: socket.socket = cle.fileobj  # type: ignore[assignment]
                        donnees = source.recv(65536)
                        if not donnees:
                            return
                        vers[source].sendall(donnees)
            except (OSError, ValueError):
                return
            finally:
                with self._verrou:
                    if (client, serveur) in self._paires:
                        self._paires.remove((client, serveur))
                _fermer(client)
                _fermer(serveur)


def _fermer(s: socket.socket, *, reinitialiser: bool = False) -> None:
    with contextlib.suppress(OSError):
        if reinitialiser:
            # SO_LINGER with a zero timeout: close() sends a RST, as a crashed peer would.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    with contextlib.suppress(OSError):
        s.close()
