"""The session's dialogs: the warning before it times out."""
