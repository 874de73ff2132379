"""The Meldinger tab."""
