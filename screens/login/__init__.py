"""Login: username and password, the one-time code, changing the password."""
