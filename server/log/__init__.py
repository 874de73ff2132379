"""The plan's log (logg): written with every change and read, read by those with the right."""
