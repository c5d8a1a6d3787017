"""Outlets and their feeds: models, admin, OPML import/export and the default outlet list."""
