"""Plans: the plan list and its cache, creating, archiving, closing, reopening."""
