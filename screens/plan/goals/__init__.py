"""The Mål og aktiviteter tab."""
