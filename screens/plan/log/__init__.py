"""The Logg tab."""
