"""A plan: the tabbed screen, its tab registry, and one folder per tab."""
