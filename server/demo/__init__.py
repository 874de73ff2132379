"""Fictional demo data for `sampro-server demo-seed` and `sampro demo`."""
