"""The Kalender tab."""
