"""Storage: SQLModel tables, the engine (SQLite pragmas, write locking) and migrations."""
