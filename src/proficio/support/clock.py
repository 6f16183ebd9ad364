"""The one clock: what "now" and "today" mean for a run.

A build is reproducible when ``SOURCE_DATE_EPOCH`` is set (https://reproducible-builds.org/specs/
source-date-epoch/): every date a run prints or stores (the transcripts' issue date, the date
evidence may not pass, the CLR issue time, CASE's change time, the site's dates) then comes from
it. Unset, it is the current time (today's date where the run happens). A value that is not whole seconds since 1970 is an
error that every command reports the same way, never silently today.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

from ..errors import UsageError

VARIABLE = "SOURCE_DATE_EPOCH"

_LATEST = 253402300799
"""9999-12-31T23:59:59Z: the last moment a date can hold."""


def source_date_epoch() -> int | None:
    """``SOURCE_DATE_EPOCH`` as whole seconds, ``None`` when unset or empty; a bad value raises
    :class:`UsageError` naming it."""
    raw = os.environ.get(VARIABLE)
    if raw is None or not raw.strip():
        return None
    value = raw.strip()
    if not value.isascii() or not value.isdigit() or int(value) > _LATEST:
        raise UsageError(
            f"{VARIABLE} is {raw!r}: it must be whole seconds since 1970-01-01 UTC, such as "
            f"1767225600 (the output of `git log -1 --format=%ct`). Fix it, or unset it to use "
            "the current time."
        )
    return int(value)


def pinned() -> datetime | None:
    """The moment ``SOURCE_DATE_EPOCH`` fixes (UTC), or ``None`` when it is unset."""
    epoch = source_date_epoch()
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


def now() -> datetime:
    """``SOURCE_DATE_EPOCH``'s moment, else the current time, in UTC to the second."""
    return pinned() or datetime.now(UTC).replace(microsecond=0)


def today() -> date:
    """The run's date: ``SOURCE_DATE_EPOCH``'s day (UTC), else today where the run happens (a
    registrar's evening run is still today's, not UTC's tomorrow)."""
    moment = pinned()
    return moment.date() if moment else date.today()


@contextmanager
def pinned_at(epoch: int) -> Iterator[None]:
    """Pin the clock to ``epoch`` while a library that reads ``SOURCE_DATE_EPOCH`` itself runs
    (MkDocs dates the sitemap with it); the environment is restored afterwards."""
    previous = os.environ.get(VARIABLE)
    os.environ[VARIABLE] = str(epoch)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(VARIABLE, None)
        else:
            os.environ[VARIABLE] = previous
