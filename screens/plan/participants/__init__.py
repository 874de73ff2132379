"""The Deltakere tab."""
