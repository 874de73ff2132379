"""Reusable widgets for SamPro's screens (the virtual table, the session bar...)."""
