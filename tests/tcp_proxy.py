"""A TCP proxy for fault tests: forwards to a server, and on `stall()` stops forwarding while keeping every
connection open (a database that accepts connections but never answers)."""

from __future__ import annotations

import contextlib
import socket
import threading


class StallingProxy:
    """Listens on 127.0.0.1 (a free port) and forwards each connection to `target` until stalled."""

    def __init__(self, target: tuple[str, int], *, port: int = 0) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", port))
        self.port: int = self.listener.getsockname()[1]
        self.forwarding = threading.Event()
        self.forwarding.set()
        self.closed = threading.Event()
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def stall(self) -> None:
        """Stop forwarding in both directions; connections stay open and new ones are accepted."""
        self.forwarding.clear()

    def resume(self) -> None:
        """Forward again, including what arrived meanwhile."""
        self.forwarding.set()

    def close(self) -> None:
        """Close the listener and every connection."""
        self.closed.set()
        self.forwarding.set()
        for sock in [self.listener, *self.sockets]:
            with contextlib.suppress(OSError):
                sock.close()

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        source.settimeout(0.2)
        while not self.closed.is_set():
            self.forwarding.wait()
            try:
                data = source.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                break
            if not data:
                break
            self.forwarding.wait()  # what arrives while stalled is held, never lost
            try:
                sink.sendall(data)
            except OSError:
                break
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
