"""The SamPro HTTP backend: accounts, two-step login, the access policy and plan content."""
