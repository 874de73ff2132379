"""Two-step login, sessions, password changes and resets."""
