"""iCalendar (``schedule.ics``) export: one VEVENT per talk, times in the conference timezone.

Pure: deterministic output for the same snapshot (``DTSTAMP`` is the release time), so ETags hold.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from icalendar import Calendar, Event, vText

from catalog.talk.schedule_model import ScheduleSnapshot, Talk


def export_ical(snapshot: ScheduleSnapshot) -> bytes:
    """A ``VCALENDAR`` with the conference zone's ``VTIMEZONE`` and one ``VEVENT`` per talk."""
    conf = snapshot.conference
    calendar = Calendar()
    calendar.add("prodid", "-//eventyay//talk schedule//EN")
    calendar.add("version", "2.0")
    # X- properties are written raw unless typed: vText escapes newlines, commas and semicolons.
    calendar.add("x-wr-calname", vText(f"{conf.title} ({conf.version})"))
    calendar.add("x-wr-timezone", vText(conf.timezone))
    stamp = conf.released_at or datetime.combine(conf.start, time(0, 0), tzinfo=conf.tz)
    rooms = snapshot.room_by_id()
    speakers = snapshot.speaker_by_code()
    for talk in sorted(snapshot.talks, key=lambda t: (t.start, t.room, t.code)):
        names = [speakers[code].name for code in talk.speakers]
        calendar.add_component(_event(snapshot, talk, rooms[talk.room].name, names, stamp))
    calendar.add_missing_timezones()
    body: bytes = calendar.to_ical()
    return body


def _event(
    snapshot: ScheduleSnapshot, talk: Talk, room_name: str, names: list[str], stamp: datetime
) -> Event:
    tz = snapshot.conference.tz
    event = Event()
    event.add("uid", f"{talk.guid}@eventyay")
    event.add("dtstamp", stamp.astimezone(UTC))  # RFC 5545: DTSTAMP is always UTC
    event.add("dtstart", talk.start.astimezone(tz))
    event.add("dtend", talk.end.astimezone(tz))
    summary = talk.title if not names else f"{talk.title} - {', '.join(names)}"
    event.add("summary", summary)
    event.add("description", talk.abstract)
    event.add("location", room_name)
    if talk.url:
        event.add("url", talk.url)
    return event
