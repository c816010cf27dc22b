"""One way to write a date on every screen: "3 dic 2026, 13:48".

Only display formats are set; input formats stay Django's es_CO ones.
Month abbreviations ("b") are lower-case, as Spanish writes them.
"""

DATE_FORMAT = "j b Y"
DATETIME_FORMAT = "j b Y, H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j b"
YEAR_MONTH_FORMAT = "F Y"
