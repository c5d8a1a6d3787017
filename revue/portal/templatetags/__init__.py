"""Template tags of the portal (``{% load portal_tags %}``)."""
