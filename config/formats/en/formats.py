"""English date and time formats (Django's ``date`` syntax); ``|when`` adds the zone's name."""

DATE_FORMAT = "j M Y"  # 25 Oct 2026
DATETIME_FORMAT = "j M Y, H:i"  # 25 Oct 2026, 14:05
WHEN_SECONDS_FORMAT = "j M Y, H:i:s"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
