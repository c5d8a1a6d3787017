"""The base layer for HTML, below every app: one way to read and rewrite the images of article
HTML (sanitized by ``revue.crawl.clean``, stored as nh3 writes it).

* ``images`` — ``rewrite_images``, ``image_sources``, ``has_images``: every ``<img>`` found by
  lxml, edited, and the fragment written back unchanged elsewhere;
* ``fragment`` — the lxml parse of a fragment and the serialiser that writes it as nh3 does.

Nothing here imports Django or any app of Revue.
"""
