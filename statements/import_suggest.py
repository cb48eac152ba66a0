"""Topics and entities a remark probably concerns, found by each topic's keywords and each
entity's name and aliases. They are suggestions: an editor confirms them in the admin.

English terms match whole words, case-insensitively, except acronyms ("US", "WHO"), which
match only in capitals, so "us" and "who" suggest nothing. Chinese terms match anywhere, as
Chinese has no spaces between words.
"""

import re

from .models import Entity, Topic
from .text.analysis import CJK_RE


def term_pattern(term):
    if CJK_RE.search(term):
        return re.compile(re.escape(term))
    acronym = term.replace(".", "").isupper() and len(term.replace(".", "")) <= 6
    flags = 0 if acronym else re.IGNORECASE
    return re.compile(r"(?<![\w-])" + re.escape(term) + r"(?![\w-])", flags)


class Suggester:
    """Compiled once per import run: every topic's and entity's patterns."""

    def __init__(self):
        self.topics = [
            (topic, [term_pattern(t) for t in topic.keyword_list])
            for topic in Topic.objects.all()
        ]
        self.entities = [
            (entity, [term_pattern(t) for t in [entity.name, *entity.alias_list]])
            for entity in Entity.objects.all()
        ]

    @staticmethod
    def _matching(candidates, text):
        return [obj for obj, patterns in candidates if any(p.search(text) for p in patterns)]

    def topics_for(self, text):
        return self._matching(self.topics, text)

    def entities_for(self, text):
        return self._matching(self.entities, text)
