"""Accounts, persons and units: administration and support (Adm. virksomhet, brukerstøtte)."""
