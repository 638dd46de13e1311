"""Talk catalog (pretalx semantics): call for papers, schedules, exports and room timelines.

Never imports ``live``, ``media`` or ``web``.
"""

from catalog.talk.frab_json import dumps_frab_json, export_frab_json
from catalog.talk.frab_json_import import ImportResult, ScheduleImportError, import_frab_json
from catalog.talk.frab_xml import export_frab_xml
from catalog.talk.ical import export_ical
from catalog.talk.schedule_model import (
    Break,
    Conference,
    Link,
    Room,
    ScheduleSnapshot,
    Speaker,
    Talk,
    Track,
    room_guid,
    schedule_day,
    talk_guid,
)
from catalog.talk.widget_json import export_widget_json

__all__ = [
    "Break",
    "Conference",
    "ImportResult",
    "Link",
    "Room",
    "ScheduleImportError",
    "ScheduleSnapshot",
    "Speaker",
    "Talk",
    "Track",
    "dumps_frab_json",
    "export_frab_json",
    "export_frab_xml",
    "export_ical",
    "export_widget_json",
    "import_frab_json",
    "room_guid",
    "schedule_day",
    "talk_guid",
]
