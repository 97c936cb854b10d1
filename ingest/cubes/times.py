"""CF time coordinates: decoding numbers in ``<unit> since <epoch>`` with their calendar.

Two decodings of the same numbers, one rule set:

- :func:`decode_dates` -> cftime dates in any CF calendar (``360_day``, ``noleap``, ...):
  what ingest describes (ISO 8601 extents, :func:`iso` refuses dates with no Gregorian
  equivalent, :func:`time_step` names the spacing);
- :func:`decode_datetime64` -> ``numpy.datetime64[ns]`` for the standard calendars, exactly as
  ``xarray.open_dataset`` decodes them (it is xarray's own decoder), and cftime dates for the
  others: what ml aligns on.

:func:`xarray_problem` says when xarray itself cannot decode the units, which ingest reports
because users of xarray hit it.
"""

from __future__ import annotations

import warnings as _pywarnings
from datetime import datetime
from functools import lru_cache

import numpy as np

__all__ = ["STANDARD_CALENDARS", "is_time_units", "decode_dates", "decode_datetime64",
           "xarray_problem", "iso", "iso_duration", "time_step", "period_slice",
           "date_on_axis", "years_of", "months_of", "days_of_year"]

#: Calendars whose dates numpy's datetime64 holds (``None``: the CF default, standard).
STANDARD_CALENDARS = {"standard", "gregorian", "proleptic_gregorian", None}


def is_time_units(units) -> bool:
    """Whether ``units`` read ``<unit> since <epoch>`` (a CF time coordinate's units)."""
    return isinstance(units, str) and " since " in units


def decode_dates(values: np.ndarray, units: str, calendar: str | None):
    """cftime dates of ``values``, in any CF calendar.

    Raises:
        ValueError, OverflowError, TypeError: when the units or values cannot be decoded.
    """
    import cftime

    return cftime.num2date(values, units, calendar or "standard", only_use_cftime_datetimes=True)


def decode_datetime64(values: np.ndarray, units: str, calendar: str | None) -> np.ndarray:
    """``values`` decoded as xarray decodes a time coordinate (NaN -> NaT).

    Returns ``datetime64[ns]`` for the standard calendars, cftime dates (an object array)
    for the others, as ``xarray.open_dataset`` does. Units xarray cannot decode but cftime
    can (ingest reports them as ``time-units-nonstandard``) are decoded by cftime, so what
    ingest catalogues as the extent is what ml reads.

    Raises:
        ValueError, OverflowError, TypeError: when neither can decode the units or values.
    """
    from xarray.coding.times import decode_cf_datetime

    try:
        with _pywarnings.catch_warnings():
            _pywarnings.simplefilter("ignore")
            return decode_cf_datetime(values, units, calendar)
    except (ValueError, OverflowError, TypeError) as exc:
        first_error = exc
    try:
        dates = np.asarray(decode_dates(values, units, calendar))
    except Exception:  # noqa: BLE001 - cftime raises many kinds; xarray's error says it
        raise first_error from None
    if calendar not in STANDARD_CALENDARS:
        return dates
    return np.array([np.datetime64(d.isoformat()) if d is not None else np.datetime64("NaT")
                     for d in dates.reshape(-1)], dtype="datetime64[ns]").reshape(dates.shape)


@lru_cache(maxsize=1024)
def xarray_problem(units: str, calendar: str | None) -> str | None:
    """None when xarray decodes these units, else its error text (users of xarray hit it).

    Cached: the answer depends on the two strings only, and a catalogue repeats them.
    """
    try:
        from xarray.coding.times import decode_cf_datetime

        with _pywarnings.catch_warnings():
            _pywarnings.simplefilter("ignore")
            decode_cf_datetime(np.array([0.0]), units, calendar or "standard")
    except Exception as exc:  # noqa: BLE001 - any failure means "xarray cannot"
        return str(exc).splitlines()[0]
    return None


def period_slice(times: np.ndarray, start: str, end: str) -> slice:
    """The positions of the dates from ``start`` to ``end`` (both included) on a decoded time
    axis, as ``xarray``'s ``.sel(time=slice(start, end))`` selects them.

    ``times`` is what :func:`decode_datetime64` returns: ``datetime64`` (pandas' partial
    date strings, so ``"2020-07"`` ends with the last step of July) or cftime dates in any
    calendar, compared in their own calendar through xarray's ``CFTimeIndex`` (``"2000-02-30"``
    is a day of a ``360_day`` calendar).

    Raises:
        ValueError, TypeError, KeyError: when the dates cannot be compared with the axis.
    """
    values = np.asarray(times)
    if _cftime_axis(values):
        from xarray import CFTimeIndex

        index = CFTimeIndex(values)
    else:
        import pandas as pd

        index = pd.Index(values)
    found = index.slice_indexer(start, end)
    if not isinstance(found, slice):
        raise ValueError("the time axis is not ordered, so a period is not one run of steps")
    return found


def _cftime_axis(values: np.ndarray) -> bool:
    return values.dtype == object and values.size > 0 and hasattr(values.flat[0], "calendar")


def date_on_axis(text: str, times: np.ndarray):
    """The ISO date ``text`` as a value comparable with the decoded axis ``times``:
    ``numpy.datetime64`` for datetime64 axes, a cftime date of the axis's own calendar
    otherwise (so ``"2001-02-30"`` is a day of a ``360_day`` axis).

    Raises:
        ValueError: when ``text`` is not a date of that calendar.
    """
    values = np.asarray(times)
    if _cftime_axis(values):
        from xarray.coding.cftime_offsets import to_cftime_datetime

        return to_cftime_datetime(text, values.flat[0].calendar)
    return np.datetime64(text)


def years_of(times: np.ndarray) -> np.ndarray:
    """The calendar year of each date of a decoded time axis (datetime64 or cftime)."""
    values = np.asarray(times)
    if _cftime_axis(values):
        return np.array([d.year for d in values.reshape(-1)], dtype="int64").reshape(values.shape)
    return values.astype("datetime64[Y]").astype("int64") + 1970


def months_of(times: np.ndarray) -> np.ndarray:
    """The month of each date of a decoded time axis, ``0`` (January) to ``11``."""
    values = np.asarray(times)
    if _cftime_axis(values):
        return np.array([d.month - 1 for d in values.reshape(-1)], dtype="int64").reshape(values.shape)
    return values.astype("datetime64[M]").astype("int64") % 12


def days_of_year(times: np.ndarray) -> np.ndarray:
    """The day of the year of each date, from ``0`` (1 January), in the axis's own calendar."""
    values = np.asarray(times)
    if _cftime_axis(values):
        return np.array([d.timetuple().tm_yday - 1 for d in values.reshape(-1)],
                        dtype="int64").reshape(values.shape)
    return (values.astype("datetime64[D]") - values.astype("datetime64[Y]")).astype("int64")


def iso(date) -> str | None:
    """ISO 8601 text of a cftime date in UTC (``2020-01-01T00:00:00Z``), or None when it is
    not a real Gregorian instant.

    The ``Z`` is what makes the ``xsd:dateTime`` comparable: a date-time without a timezone
    is only partially ordered against one with it (XSD 1.1, 3.3.7.4), so a SPARQL filter
    against ``"...Z"`` would be indeterminate. UTC is right: CF times are UTC unless the
    units name an offset (``days since 2000-01-01 00:00:00 +03:00``), and both decoders
    (cftime and xarray's) apply that offset, so the dates they return are UTC.
    """
    text = f"{date.year:04d}-{date.month:02d}-{date.day:02d}T{date.hour:02d}:{date.minute:02d}:{date.second:02d}"
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return None  # e.g. 30 February in a 360_day calendar
    return text + "Z"


def iso_duration(seconds: float) -> str:
    """An ``xsd:duration`` for a fixed span of seconds (``86400`` -> ``"P1D"``)."""
    s = int(round(seconds))
    if s % 86400 == 0:
        return f"P{s // 86400}D"
    if s % 3600 == 0:
        return f"PT{s // 3600}H"
    if s % 60 == 0:
        return f"PT{s // 60}M"
    return f"PT{s}S"


def time_step(dates) -> str | None:
    """The ``xsd:duration`` between consecutive dates when it is regular, else None.

    Months and years count as regular when every step is the same number of calendar
    months (on the same day and hour, or about a month of seconds each).
    """
    if len(dates) < 2:
        return None
    months = [d.year * 12 + d.month for d in dates]
    mdiff = {b - a for a, b in zip(months, months[1:])}
    spans = [(b - a).total_seconds() for a, b in zip(dates, dates[1:])]
    if len(mdiff) == 1 and (k := mdiff.pop()) > 0:
        same_day = len({(d.day, d.hour, d.minute) for d in dates}) == 1
        plausible = all(27 * 86400 * k <= s <= 32 * 86400 * k for s in spans)
        if same_day or plausible:
            return f"P{k // 12}Y" if k % 12 == 0 else f"P{k}M"
    if len(set(round(s) for s in spans)) == 1 and spans[0] > 0:
        return iso_duration(spans[0])
    return None
