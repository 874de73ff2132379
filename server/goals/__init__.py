"""Goals and activities (mål og aktiviteter): the tree, order, history, pictures, comments."""
