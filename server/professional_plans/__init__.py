"""The owner's other plans (fagplaner) kept beside the individual plan."""
