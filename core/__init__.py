"""The shared kernel: settings, errors, ids, clock, logging and the database engine.

Imports nothing else of the project.
"""
