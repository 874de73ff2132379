"""Plan events and the timeline (tidslinje) built from them."""
