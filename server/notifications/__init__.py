"""Notifications (varslinger) of new things in a plan, by SMS or e-mail, without content."""
