"""Russian date and time formats (Django's ``date`` syntax; ``E`` is the month in the genitive
case); ``|when`` adds the zone's name."""

DATE_FORMAT = "j E Y"  # 25 октября 2026
DATETIME_FORMAT = "j E Y, H:i"  # 25 октября 2026, 14:05
WHEN_SECONDS_FORMAT = "j E Y, H:i:s"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
