"""Security tests: the XSS corpus, the SSRF matrix and resource bounds (issue #15)."""
