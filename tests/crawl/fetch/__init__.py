"""Tests of revue.crawl.fetch and revue.crawl.guard."""
