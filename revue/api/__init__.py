"""The read-only JSON API (django-ninja): articles, stories, outlets, categories, search."""
