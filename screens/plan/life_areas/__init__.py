"""The Kartlegging tab."""
