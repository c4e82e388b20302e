"""A Ray cluster's address, checked before Ray is asked to join it.

``ray.init(address=...)`` on an address where no cluster answers retries for minutes, and a
malformed one fails deep inside Ray. Both engines (counting slices, grid trials) check the
address here first: its form, then one TCP connection with a short timeout.
"""

from __future__ import annotations

import socket

from .errors import InputError

__all__ = ["check_ray_address", "CONNECT_TIMEOUT"]

#: Seconds to wait for the cluster's port to accept a connection.
CONNECT_TIMEOUT = 5.0

#: Addresses Ray resolves itself (a cluster started on this machine, or a new local one).
_SPECIAL = ("auto", "local")


def split_address(address: str) -> tuple[str, int]:
    """``(host, port)`` of ``HOST:PORT`` or ``ray://HOST:PORT`` (IPv6 hosts in brackets), or a one-line error.

    Examples
    --------
    >>> split_address("ray://10.0.0.5:10001"), split_address("[::1]:6379")
    (('10.0.0.5', 10001), ('::1', 6379))
    """
    rest = address.strip()
    if rest.startswith("ray://"):
        rest = rest[len("ray://"):]
    host, sep, port = rest.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535 or any(c in host for c in "/ "):
        raise InputError(f"Ray address {address!r} is not HOST:PORT (e.g. 10.0.0.5:6379, ray://HOST:10001 or auto); "
                         "pass the address that `ray start --head` printed")
    return host, int(port)


def check_ray_address(address: str | None, timeout: float = CONNECT_TIMEOUT) -> None:
    """Refuse, within ``timeout`` seconds, an address that is malformed or where nothing listens.

    ``None``, ``"auto"`` and ``"local"`` are left to Ray (a local Ray, or the one on this machine).
    """
    if address is None or address.strip() in _SPECIAL:
        return
    host, port = split_address(address)
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        reason = "timed out" if isinstance(exc, TimeoutError) else (exc.strerror or type(exc).__name__).lower()
        raise InputError(f"cannot reach a Ray cluster at {address} ({reason}); start one with `ray start --head` "
                         "or give the address it printed") from None
