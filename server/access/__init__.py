"""The access policy: who may read and write which part of a plan (the plan scope)."""
