"""The plan group (deltakere): roles, rights, consent, responsibilities."""
