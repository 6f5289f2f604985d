"""Activities and sessions: what happens at a place, and when.

``table`` turns curated records (their ``schedules`` JSON of HSDS 3.0 schedule objects, or the
weekly ``opening_hours`` of a session-like source such as the warm spaces) into the build's
sessions table, one row per recurring session; ``columns`` reads the session columns of a curated
CSV (day, start, end, frequency) into schedules; ``venues`` joins an activity to the place it is
held at; ``stage`` is the build's sessions stage; ``words`` says a session's times in words
("Tuesdays 10:30–12:00", "1st Tuesday of the month") and whether it is on today, this week or
now, honouring its season (``valid_from``/``valid_to``); ``served`` is the table as the site
reads it once at load.
"""
