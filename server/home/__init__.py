"""The plan's home (Hjem): the owner's presentation and the home feed."""
