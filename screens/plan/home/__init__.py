"""The Hjem tab: the plan's presentation and status, and what leads from there."""
