"""Plan-internal messages, notes and minutes (meldinger, notater, referater)."""
