"""The plan list (Liste planer)."""
