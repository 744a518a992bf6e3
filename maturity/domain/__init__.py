"""Domain rules with no I/O: vote tallies, spread, consensus."""
