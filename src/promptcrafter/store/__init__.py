"""Persistence: the schema (Alembic migrations), the two engines, and every SQL statement."""
