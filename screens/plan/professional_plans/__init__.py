"""The Fagplaner tab."""
