"""Pages of plans, interviews, rounds and ratings (being written)."""
