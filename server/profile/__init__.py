"""The logged-in person's own things (Min profil): profile, authenticator, drafts."""
