"""The word entry type shared by the lexicon, the story patterns and the renderer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .english import plural, third_person, with_article


class W:
    """One lexicon entry with its Korean and English forms.

    ``flags``: ``mass`` (uncountable: "some rice"), ``pl`` (plural only: "glasses"), ``noart`` (proper noun,
    no article: "Busan").  ``attrs``: extra forms, looked up as ``ko_<name>`` / ``en_<name>`` first, then
    ``<name>``; ``g`` is a grammatical gender ("m"/"f") for pronouns; ``ko_m``/``ko_f`` give a Korean form
    that depends on the hero's gender (형/오빠, 누나/언니).
    """

    __slots__ = ("ko", "en", "flags", "attrs")

    def __init__(self, ko: str, en: str, flags: frozenset[str] = frozenset(), attrs: Mapping[str, Any] | None = None):
        self.ko = ko
        self.en = en
        self.flags = flags
        self.attrs: dict[str, Any] = dict(attrs or {})

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"W({self.ko!r}, {self.en!r})"

    # --- English -------------------------------------------------------------------------
    @property
    def countable(self) -> bool:
        return not (self.flags & {"mass", "pl", "noart"})

    @property
    def plural_only(self) -> bool:
        return "pl" in self.flags

    def en_form(self, form: str | None) -> str:
        a = self.attrs
        if form is None:
            return self.en
        key = "en_" + form
        if key in a:
            return a[key]
        g = a.get("g")
        if form == "a":
            if "noart" in self.flags:
                return self.en
            if "pl" in self.flags and a.get("c") in ("켤레", "벌"):
                return "a pair of " + self.en
            if self.flags & {"mass", "pl"}:
                return "some " + self.en
            return with_article(self.en)
        if form in ("pl", "n"):
            if "p" in a:
                return a["p"]
            if self.flags & {"mass", "pl", "noart"}:
                return self.en
            return plural(self.en)
        if form == "the":
            return self.en if "noart" in self.flags else "the " + self.en
        if form == "s":
            return third_person(self.en)
        plural_subject = self.plural_only
        if form == "it":
            return "them" if plural_subject else "it"
        if form == "they":
            return "they" if plural_subject else "it"
        if form == "is":
            return "are" if plural_subject else "is"
        if form == "was":
            return "were" if plural_subject else "was"
        if form == "this":
            return "these" if plural_subject else "this"
        if form == "he":
            return {"m": "he", "f": "she"}.get(g, "it")
        if form == "him":
            return {"m": "him", "f": "her"}.get(g, "it")
        if form == "his":
            return {"m": "his", "f": "her"}.get(g, "its")
        if form == "himself":
            return {"m": "himself", "f": "herself"}.get(g, "itself")
        if form == "pos":
            return self.en + "'s"
        if form in a:
            return a[form]
        raise KeyError(f"no English form {form!r} for {self!r}")

    # --- Korean --------------------------------------------------------------------------
    def ko_form(self, form: str | None, hero_gender: str = "m") -> str:
        a = self.attrs
        if form is None:
            if "ko_m" in a:
                return a["ko_m"] if hero_gender == "m" else a["ko_f"]
            return self.ko
        key = "ko_" + form
        if key in a:
            return a[key]
        if form == "c":
            return a.get("c", "개")
        if form in a:
            return a[form]
        raise KeyError(f"no Korean form {form!r} for {self!r}")


def parse_words(block: str, **defaults: Any) -> list[W]:
    """Parse lines ``ko | en | flag | key=value ...`` into entries ('#' starts a comment line)."""
    out: list[W] = []
    for raw in block.strip().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < 2:
            raise ValueError(f"bad lexicon line: {raw!r}")
        flags: set[str] = set()
        attrs: dict[str, Any] = dict(defaults)
        for extra in parts[2:]:
            if not extra:
                continue
            if "=" in extra:
                k, v = extra.split("=", 1)
                attrs[k.strip()] = v.strip()
            else:
                flags.add(extra)
        out.append(W(parts[0], parts[1], frozenset(flags), attrs))
    return out


def parse_acts(block: str, **defaults: Any) -> list[W]:
    """Verb phrases: ``stem | 어-form | past stem | en base | en past | en -ing`` (+ optional key=value).

    ``책을 읽 | 책을 읽어 | 책을 읽었 | read a book | read a book | reading a book`` gives
    ``{act}고`` 책을 읽고, ``{act.eo}요`` 책을 읽어요, ``{act.pst}다`` 책을 읽었다, ``{act.past}`` read a book.
    """
    out: list[W] = []
    for raw in block.strip().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < 6:
            raise ValueError(f"bad act line: {raw!r}")
        stem, eo, pst, base, past, ing = parts[:6]
        attrs: dict[str, Any] = dict(defaults)
        attrs.update(ko_eo=eo, ko_pst=pst, en_past=past, en_ing=ing)
        for extra in parts[6:]:
            k, v = extra.split("=", 1)
            attrs[k.strip()] = v.strip()
        out.append(W(stem, base, frozenset(), attrs))
    return out
