"""Tests of the public portal (revue.portal)."""
