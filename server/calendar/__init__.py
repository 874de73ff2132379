"""The plan's shared calendar (kalender)."""
