"""Story patterns and their renderer.

A pattern is a plot skeleton: typed slots (``item="lost_item"``) and, per language, a list of steps.
A step is one sentence, given as one or more alternative templates; a step may be optional (``p < 1``)
and a run of steps may be shuffled (:class:`Shuffle`).  So one pattern yields many different paragraphs.

Template tokens (the same syntax in both languages)::

    {slot}            the word                         {item}       우산 / umbrella
    {slot/을}          + Korean particle by 받침          {item/을}     우산을, 책을 (을/를, 은/는, 이/가, 으로/로 ...)
    {slot.form}       another form of the entry        {item.a}     an umbrella; {food.pl} apples; {act.pst}다 읽었다
    {he} {him} {his} {himself}   the hero (Korean: the name or 그/그녀)

English sentences are capitalised automatically (also right after an opening quote).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from .english import capitalize_sentence
from .hangul import attach
from .lexicon import pool
from .words import W

MIN_SENTENCES = 3
MAX_SENTENCES = 8

_TOKEN = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_]+))?(?:/([^{}]+))?\}")
_HERO_WORDS = {"he", "him", "his", "himself"}


@dataclass(frozen=True)
class Step:
    alts: tuple[str, ...]
    p: float = 1.0


@dataclass(frozen=True)
class Shuffle:
    steps: tuple[Step, ...]


def S(*alts: str, p: float = 1.0) -> Step:
    return Step(tuple(alts), p)


def shuffle(*steps: Step) -> Shuffle:
    return Shuffle(tuple(steps))


@dataclass
class Pattern:
    key: str
    slots: dict[str, str]
    ko: list[Step | Shuffle]
    en: list[Step | Shuffle]
    kind: str = "story"  # "story" or "dialogue"
    slots_ko: dict[str, str] = field(default_factory=dict)

    def steps(self, lang: str) -> list[Step | Shuffle]:
        return self.ko if lang == "ko" else self.en

    def sentence_bounds(self, lang: str) -> tuple[int, int]:
        lo = hi = 0
        for st in self.steps(lang):
            for s in st.steps if isinstance(st, Shuffle) else (st,):
                hi += 1
                lo += s.p >= 1.0
        return lo, hi


class Context:
    """The slot values of one paragraph and the small state needed while rendering it."""

    def __init__(self, lang: str, rng: random.Random, values: dict[str, W]):
        self.lang = lang
        self.rng = rng
        self.values = values
        self.mentioned: set[str] = set()

    def hero_gender(self) -> str:
        return self.values["hero"].attrs.get("g", "m")

    # -- pronoun / reference to a person slot ------------------------------------------------
    def ref(self, slot: str, form: str) -> str:
        w = self.values[slot]
        is_person_name = "g" in w.attrs and "noart" in w.flags
        if self.lang == "en":
            if slot not in self.mentioned and is_person_name and form == "he":
                self.mentioned.add(slot)
                return w.en
            return w.en_form(form)
        # Korean: a name the first time, then the name or 그/그녀.
        if not is_person_name:
            return w.ko_form(None, self.hero_gender())
        name = w.ko
        if slot not in self.mentioned:
            self.mentioned.add(slot)
            base = name
        elif self.rng.random() < 0.35:
            base = "그녀" if w.attrs.get("g") == "f" else "그"
        else:
            base = name
        if form == "his":
            return base + "의"
        return base

    def token(self, m: re.Match[str]) -> str:
        slot, form, part = m.group(1), m.group(2), m.group(3)
        if slot in _HERO_WORDS and slot not in self.values:
            form, slot = slot, "hero"
        if slot not in self.values:
            raise KeyError(f"unknown slot {slot!r}")
        w = self.values[slot]
        if form in _HERO_WORDS and self.lang == "ko" and part in ("아", "야"):
            text = w.ko  # a vocative is always the name ("민수야", never "그야")
        elif form in _HERO_WORDS and not (self.lang == "en" and form != "he"):
            text = self.ref(slot, form)
        elif self.lang == "en":
            text = w.en_form(form)
            if form is None and "g" in w.attrs:
                self.mentioned.add(slot)
        else:
            text = w.ko_form(form, self.hero_gender())
            if form is None and "g" in w.attrs:
                self.mentioned.add(slot)
        if "{" in text:
            text = self.render_raw(text)
        if part:
            if self.lang != "ko":
                raise ValueError(f"particle in an English template: {m.group(0)}")
            text = attach(text, part)
        return text

    def render_raw(self, template: str) -> str:
        return _TOKEN.sub(self.token, template)

    def render(self, template: str) -> str:
        s = self.render_raw(template)
        s = re.sub(r"  +", " ", s).strip()
        if self.lang == "en":
            s = capitalize_sentence(s)
        return s


def _pick(rng: random.Random, entries: list[W], avoid: list[W]) -> W:
    for _ in range(30):
        w = entries[rng.randrange(len(entries))]
        if all(w is not a and (w.ko, w.en) != (a.ko, a.en) for a in avoid):
            return w
    return entries[rng.randrange(len(entries))]


def fill_slots(pattern: Pattern, lang: str, rng: random.Random) -> dict[str, W]:
    """Choose a value for every slot: ``type``, ``type|count`` (countable only) or ``@slot.attr`` (a list)."""
    slots = {"hero": "name", **pattern.slots, **(pattern.slots_ko if lang == "ko" else {})}
    values: dict[str, W] = {}
    used: list[W] = []
    for name, spec in slots.items():
        src_spec, _, flt = spec.partition("|")
        if src_spec.startswith("@"):
            src, attr = src_spec[1:].split(".", 1)
            entries = values[src].attrs[attr]
            if isinstance(entries, str):
                entries = pool(entries, lang)
        else:
            entries = pool(src_spec, lang)
        if flt == "count":
            entries = [w for w in entries if w.countable] or entries
        elif flt:
            raise ValueError(f"unknown filter {flt!r}")
        values[name] = _pick(rng, entries, used)
        used.append(values[name])
    return values


def choose_steps(pattern: Pattern, lang: str, rng: random.Random) -> list[Step]:
    """The steps of one paragraph: optional ones by chance, shuffled groups reordered, 3-8 sentences."""
    chosen: list[tuple[Step, bool]] = []
    for st in pattern.steps(lang):
        group = list(st.steps) if isinstance(st, Shuffle) else [st]
        if isinstance(st, Shuffle):
            rng.shuffle(group)
        for s in group:
            if s.p >= 1.0:
                chosen.append((s, True))
            elif rng.random() < s.p:
                chosen.append((s, False))
    while len(chosen) > MAX_SENTENCES:
        optional = [i for i, (_, req) in enumerate(chosen) if not req]
        del chosen[optional[rng.randrange(len(optional))]]
    return [s for s, _ in chosen]


def render_pattern(pattern: Pattern, lang: str, rng: random.Random) -> list[str]:
    """One paragraph as a list of sentences."""
    ctx = Context(lang, rng, fill_slots(pattern, lang, rng))
    out = []
    for st in choose_steps(pattern, lang, rng):
        alt = st.alts[rng.randrange(len(st.alts))] if len(st.alts) > 1 else st.alts[0]
        out.append(ctx.render(alt))
    return out


def split_sentences(text: str) -> list[str]:
    """Split a generated paragraph into sentences, ignoring punctuation inside quotes.

    A sentence ends at ``.``, ``!`` or ``?`` outside quotes followed by a space or the end, or at a closing
    quote that ends with such a mark and is followed by the end or by a capital letter (``... said, "Hi." Then``).
    """
    out: list[str] = []
    start = 0
    in_quote = False
    n = len(text)
    i = 0
    while i < n:
        ch = text[i]
        if ch == '"':
            if in_quote:
                in_quote = False
                if i > 0 and text[i - 1] in ".!?":
                    j = i + 1
                    if j >= n or (text[j] == " " and j + 1 < n and text[j + 1].isupper()):
                        out.append(text[start : i + 1].strip())
                        start = i + 1
            else:
                in_quote = True
        elif not in_quote and ch in ".!?":
            j = i + 1
            while j < n and text[j] in ".!?":
                j += 1
            if j >= n or text[j] == " ":
                out.append(text[start:j].strip())
                start = j
                i = j
                continue
        i += 1
    rest = text[start:].strip()
    if rest:
        out.append(rest)
    return [s for s in out if s]
