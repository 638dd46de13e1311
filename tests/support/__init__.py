"""Test support: sample actors and process helpers shared by unit and integration tests."""
