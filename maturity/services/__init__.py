"""Use cases: each function opens its own short transaction and returns small read models."""
