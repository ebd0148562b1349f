"""How moments are written: ISO 8601 in UTC for machines, `15 Jul 2017 | 05:12 PM UTC` for people.

Independent of the process locale, so that the same input always gives the same bytes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def utc_iso(moment: datetime) -> str:
    """`2017-07-15T17:12:00Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    """The inverse of `utc_iso` (also accepts an explicit offset)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def utc_date(moment: datetime, lang: str = "en") -> str:
    """`15 Jul 2017`; in another language CLDR's long date through Babel (`15 juillet 2017`)."""
    return day(moment.astimezone(UTC).date(), lang)


def day(value: date, lang: str = "en") -> str:
    """A calendar day as people read it everywhere in an advisory: `10 Jul 2017`, `10 juillet 2017`."""
    if lang != "en":
        from babel.dates import format_date

        text = str(format_date(value, "d MMMM y", locale=lang))
        return "1er" + text[1:] if lang == "fr" and value.day == 1 else text  # le 1er décembre
    return f"{value.day:02d} {_MONTHS[value.month - 1]} {value.year}"


def _clock(t: datetime, lang: str) -> str:
    # English keeps the reference alert's 12-hour clock; other languages write 24 hours (17:12).
    if lang != "en":
        return f"{t.hour:02d}:{t.minute:02d}"
    return f"{t.hour % 12 or 12:02d}:{t.minute:02d} {'AM' if t.hour < 12 else 'PM'}"


def utc_display(moment: datetime, lang: str = "en") -> str:
    """`15 Jul 2017 | 05:12 PM UTC`, as the reference alert writes it (`15 juillet 2017 | 17:12 UTC`)."""
    t = moment.astimezone(UTC)
    return f"{utc_date(t, lang)} | {_clock(t, lang)} UTC"


def local_time(moment: datetime, zone: str, lang: str = "en", on: str = "on") -> str:
    """`06:12 PM` in the IANA time zone `zone` (daylight saving time included), with the local date
    when it is not the UTC date (`11:30 PM on 19 Oct 2019`; `on` is the language's word)."""
    from zoneinfo import ZoneInfo

    t = moment.astimezone(ZoneInfo(zone))
    clock = _clock(t, lang)
    if t.date() == moment.astimezone(UTC).date():
        return clock
    return f"{clock} {on} {utc_date(t.replace(tzinfo=UTC), lang)}"


def utc_short(moment: datetime | None) -> str:
    """`2017-07-15 17:12` for tables; `-` for no moment."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if moment else "-"
