"""Site type from its newest posts (R-D30). Pure."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

SAMPLE = 20
MIN_POSTS = 3


@dataclass(frozen=True)
class PostShape:
    title: str | None
    content_text: str
    has_image: bool


def classify(posts: Sequence[PostShape]) -> str:
    """`photoblog`, `microblog` or `blog` from the newest posts of the main feed."""
    sample = list(posts)[:SAMPLE]
    if len(sample) < MIN_POSTS:
        return "blog"
    median = statistics.median(len(p.content_text) for p in sample)
    with_image = sum(1 for p in sample if p.has_image) / len(sample)
    if with_image >= 0.6 and median <= 280:
        return "photoblog"
    untitled = sum(1 for p in sample if _untitled(p)) / len(sample)
    if untitled >= 0.6 and median <= 500:
        return "microblog"
    return "blog"


def _untitled(post: PostShape) -> bool:
    if not post.title or not post.title.strip():
        return True
    stem = post.title.strip().rstrip(".…").rstrip()
    return bool(stem) and post.content_text.strip().startswith(stem)
