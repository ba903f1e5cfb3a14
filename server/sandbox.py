"""Cut a worker process off the network (a new, empty network namespace), the backstop behind the SERVICE check."""

from __future__ import annotations

import ctypes
import os

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000


def deny_network() -> bool:
    """Move this process into a network namespace with no interfaces up; True if that worked.

    Root can do it directly; other users need unprivileged user namespaces. Where neither is allowed the
    process keeps its network and the SERVICE check in :mod:`server.guard` stands alone.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    flags = CLONE_NEWNET if os.geteuid() == 0 else CLONE_NEWUSER | CLONE_NEWNET
    return libc.unshare(flags) == 0
