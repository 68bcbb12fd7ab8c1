"""Fakes for what a user would not have locally (DESIGN.md "How we test")."""
