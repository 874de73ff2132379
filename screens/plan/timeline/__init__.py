"""The Tidslinje tab."""
