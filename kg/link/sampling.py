"""Draw a blind sample of incident records for measuring the linker: at random, apart from every labelled record."""

from __future__ import annotations

import random
from collections.abc import Iterable

from kg.link.records import IncidentRecord

DATABASES = ("AIAAIC", "AIID")


def draw_sample(records: Iterable[IncidentRecord], seed: int, per_database: int,
                exclude: set[str]) -> list[str]:
    """``per_database`` keys from each of AIAAIC and AIID (in that order), drawn with ``random.Random(seed)``
    from the sorted keys of that database's records, leaving out the ``exclude``d ones (records already
    labelled, so that the sample says nothing the linker was trained or tuned on)."""
    rng = random.Random(seed)
    keys = sorted({record.key: record.database for record in records}.items())
    drawn: list[str] = []
    for database in DATABASES:
        pool = [key for key, db in keys if db == database and key not in exclude]
        drawn += rng.sample(pool, per_database)
    return drawn
