"""Readers keep the portal clean: image reports, automatic blocking, and the moderators' desk.

``identity`` (who reports: signed cookie + keyed address hash), ``ratelimit`` (reports per address),
``services`` (the rules: ``report_image``, thresholds, block/restore/block host, audit log),
``body`` (article HTML with blocked images replaced and report buttons), ``bursts`` (many reports
from one network), ``views`` (``POST /signaler/image/<id>/``), ``admin`` (the desk).
Imports ``news`` only; the portal uses its template tags (``moderation_tags``).
"""
