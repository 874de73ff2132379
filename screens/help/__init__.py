"""Help (F1): the keys of the screen in front and a short guide."""
