"""Small English helpers: a/an, plurals, third-person -s, sentence capitalisation."""

from __future__ import annotations

import re

# Words that start with a vowel letter but a consonant sound, and the reverse.
_A_BEFORE = ("uni", "use", "usu", "ukulele", "european", "one", "once", "u.")
_AN_BEFORE = ("hour", "honest", "honor", "heir")

_IRREGULAR_PLURALS = {
    "child": "children",
    "person": "people",
    "mouse": "mice",
    "goose": "geese",
    "tooth": "teeth",
    "foot": "feet",
    "sheep": "sheep",
    "deer": "deer",
    "fish": "fish",
    "goldfish": "goldfish",
    "leaf": "leaves",
    "knife": "knives",
    "wolf": "wolves",
    "scarf": "scarves",
    "loaf": "loaves",
    "shelf": "shelves",
    "cactus": "cacti",
    "potato": "potatoes",
    "tomato": "tomatoes",
    "hero": "heroes",
    "mango": "mangoes",
}


def article(phrase: str) -> str:
    """'a' or 'an' for the noun phrase ``phrase`` (by its first sound, with the common exceptions)."""
    w = phrase.strip().lower()
    if not w:
        return "a"
    if w.startswith(_AN_BEFORE):
        return "an"
    if w.startswith(_A_BEFORE):
        return "a"
    return "an" if w[0] in "aeiou" else "a"


def with_article(phrase: str) -> str:
    return f"{article(phrase)} {phrase}"


def plural(noun: str) -> str:
    """Plural of a noun phrase: only the last word changes ("red bean bun" → "red bean buns")."""
    head, sep, last = noun.rpartition(" ")
    if " of " in noun:  # "loaf of bread" → "loaves of bread": the first word is the head
        first, _, rest = noun.partition(" ")
        return f"{plural(first)} {rest}"
    low = last.lower()
    if low in _IRREGULAR_PLURALS:
        p = _IRREGULAR_PLURALS[low]
    elif re.search(r"(s|x|z|ch|sh)$", low):
        p = last + "es"
    elif re.search(r"[^aeiou]y$", low):
        p = last[:-1] + "ies"
    else:
        p = last + "s"
    return head + sep + p


def third_person(verb_phrase: str) -> str:
    """'read a book' → 'reads a book', 'watch a movie' → 'watches a movie', 'have fun' → 'has fun'."""
    verb, sep, rest = verb_phrase.partition(" ")
    low = verb.lower()
    if low == "have":
        v = "has"
    elif low == "be":
        v = "is"
    elif low in ("do", "go"):
        v = verb + "es"
    elif re.search(r"(s|x|z|ch|sh)$", low):
        v = verb + "es"
    elif re.search(r"[^aeiou]y$", low):
        v = verb[:-1] + "ies"
    else:
        v = verb + "s"
    return v + sep + rest


_OPEN_QUOTE = re.compile(r'(^|[\s(])"([a-z])')


def capitalize_sentence(s: str) -> str:
    """Upper-case the first letter of the sentence and the first letter inside each opening quote."""
    for i, ch in enumerate(s):
        if ch.isalpha():
            s = s[:i] + ch.upper() + s[i + 1 :]
            break
        if ch not in '"\'( ':
            break
    return _OPEN_QUOTE.sub(lambda m: f'{m.group(1)}"{m.group(2).upper()}', s)
