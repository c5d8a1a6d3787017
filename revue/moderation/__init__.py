"""Readers keep the portal clean: image reports, automatic blocking, and the moderators' desk.

``identity`` (who reports: signed cookie + keyed address and network hashes, the address behind
trusted proxies), ``tokens`` (the signed per-image token a page's report button carries),
``ratelimit`` (reports per address and per network), ``services`` (the rules: ``report_image``,
thresholds in distinct networks, held blocks, block/restore/block host, audit log), ``body``
(article HTML with blocked images replaced and report buttons), ``bursts`` (many reports from one
network or on one image), ``views`` (``POST /signaler/image/<id>/``), ``admin`` (the desk).
Imports ``news`` only; the portal uses its template tags (``moderation_tags``).
"""
