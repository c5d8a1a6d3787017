"""The offline demo press: generated, deterministic news outlets served on loopback.

`DemoPress` (content.py) is the ground truth: outlets in French, Arabic, Spanish and English,
their articles and feeds. `revue.demo.server.serve_press` serves it over HTTP. Pure standard
library; nothing here imports Django models, so it also runs with no Django set up.
"""

from .content import DemoArticle, DemoFeed, DemoOutlet, DemoPress

__all__ = ["DemoArticle", "DemoFeed", "DemoOutlet", "DemoPress"]
