"""Tests of revue.net: the guarded fetcher (revue.net.fetch) and the address guard (revue.net.guard)."""
