"""Fast mode is chosen on the article frames trafilatura's main extractor itself knows: the class
and id values ``engine`` matches in Python agree with trafilatura's own expressions (the first
three of its ``BODY_XPATH``), so an upgrade of trafilatura that changes them fails here."""

from __future__ import annotations

import pytest
import trafilatura
from trafilatura.xpaths import BODY_XPATH

from revue.crawl.extract.engine import _is_frame_name

pytestmark = pytest.mark.nodb

# values trafilatura knows, lookalikes it does not, and the later, looser expressions' names
# ("content", "main-content": trafilatura falls back to them, not a sign fast mode is reliable)
VALUES = [
    "post", "entry", "postarea", "art-postcontent", "text", "cell", "story", "articleContent", "article",
    "entry-content", "td-post-content", "post_text", "post-body", "postentry", "post-entry", "post_content",
    "postContent", "post_inner_wrapper", "article-text", "articletext", "articleText", "page-content",
    "text-content", "art-content", "article__content", "article-body", "article__body", "articlebody",
    "articleBody", "ArticleContent", "body-text", "c-article__container", "article main", "post-bodycopy",
    "storycontent", "story-content", "theme-content", "blog-content", "section-content", "single-content",
    "single-post", "main-column", "wpb_text_column", "story-body", "field-body", "FullText", "article-fulltext",
    "primary", "primary-column",
    "article_content", "blog_text", "teaser_blog_text", "Article-Content", "Entry-Content", "post_inner",
    "article", "entry-title", "posts", "content", "main-content", "content-main", "page", "story_body",
]  # fmt: skip


def _trafilatura_takes(attribute: str, value: str) -> bool:
    tree = trafilatura.load_html(f'<html><body><div {attribute}="{value}"><p>Text.</p></div><p>Out.</p></body></html>')
    return any(expression(tree) for expression in BODY_XPATH[:3])


@pytest.mark.parametrize("attribute", ["class", "id"])
@pytest.mark.parametrize("value", VALUES)
def test_frame_names_are_the_ones_trafilatura_knows(attribute, value):
    assert _is_frame_name(attribute, value) == _trafilatura_takes(attribute, value)
