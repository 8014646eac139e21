"""Korean particle (조사) selection from the final consonant (받침) of the preceding syllable.

A precomposed Hangul syllable has code point ``0xAC00 + (initial * 21 + medial) * 28 + final``,
so ``(code - 0xAC00) % 28`` is the index of its final consonant: 0 means "no 받침", 8 is ㄹ.

    >>> attach("학교", "을/를"), attach("책", "를"), attach("연필", "으로"), attach("집", "로")
    ('학교를', '책을', '연필로', '집으로')
"""

from __future__ import annotations

HANGUL_FIRST = 0xAC00
HANGUL_LAST = 0xD7A3
JONG_RIEUL = 8  # index of ㄹ among the 28 finals

# Spoken final of a trailing digit (0 영, 1 일, 2 이, 3 삼, 4 사, 5 오, 6 육, 7 칠, 8 팔, 9 구): -1 none, 8 ㄹ, 1 other.
_DIGIT_JONG = {
    "0": 1, "1": JONG_RIEUL, "2": 0, "3": 1, "4": 0, "5": 0, "6": 1, "7": JONG_RIEUL, "8": JONG_RIEUL, "9": 0,
}  # fmt: skip

# (form after a 받침, form after a vowel).  으로/로 is special: a final ㄹ takes 로.
PAIRS: tuple[tuple[str, str], ...] = (
    ("은", "는"),
    ("이", "가"),
    ("을", "를"),
    ("과", "와"),
    ("으로", "로"),
    ("이에요", "예요"),
    ("이었어요", "였어요"),
    ("이었다", "였다"),
    ("이야", "야"),  # copula, informal ("민준이야")
    ("아", "야"),  # vocative ("민준아", "지수야")
    ("이랑", "랑"),
    ("이나", "나"),
    ("이라고", "라고"),
    ("이라는", "라는"),
    ("이라서", "라서"),
    ("이지만", "지만"),
    ("이면", "면"),
    ("이다", "다"),
    ("이고", "고"),
    ("이며", "며"),
)

# Lookup from either form to its pair.  Longer keys first so that "이에요" wins over "이".
# "야" is ambiguous (vocative or copula): a bare "야" is taken as the vocative, write "이야" for the copula.
_LOOKUP: dict[str, tuple[str, str]] = {}
for _pair in PAIRS:
    for _form in _pair:
        if _form == "야" and _pair[0] == "이야":
            continue
        _LOOKUP.setdefault(_form, _pair)
_KEYS = sorted(_LOOKUP, key=len, reverse=True)


def is_hangul_syllable(ch: str) -> bool:
    return len(ch) == 1 and HANGUL_FIRST <= ord(ch) <= HANGUL_LAST


def final_index(word: str) -> int:
    """Index (0-27) of the final consonant of the last sounding character of ``word``; 0 = no 받침.

    Trailing punctuation and spaces are skipped.  Digits are read in Sino-Korean; a Latin final letter
    is guessed from its English sound (l → ㄹ, m/n/ng/k/p/t/b → a 받침, vowels → none).
    """
    w = word.rstrip(" )]}\"'.,!?")
    if not w:
        return 0
    ch = w[-1]
    if is_hangul_syllable(ch):
        return (ord(ch) - HANGUL_FIRST) % 28
    if ch.isdigit():
        return _DIGIT_JONG[ch]
    c = ch.lower()
    if c == "l":
        return JONG_RIEUL
    if c in "mnkptbg":
        return 1
    return 0


def has_batchim(word: str) -> bool:
    return final_index(word) != 0


def particle(word: str, spec: str) -> str:
    """The particle ``spec`` in the form that fits ``word``.

    ``spec`` may name either form of a pair ("은", "는", "은/는"), optionally followed by more particles
    ("으로도", "이랑은"); a particle without alternation ("에", "에서", "도", "의") is returned unchanged.
    """
    if "/" in spec:
        spec = spec.split("/", 1)[0]
    for key in _KEYS:
        if spec.startswith(key):
            after_consonant, after_vowel = _LOOKUP[key]
            rest = spec[len(key) :]
            jong = final_index(word)
            if after_consonant == "으로":
                form = "으로" if jong not in (0, JONG_RIEUL) else "로"
            else:
                form = after_consonant if jong else after_vowel
            return form + rest
    return spec


def attach(word: str, spec: str) -> str:
    """``word`` followed by the right form of the particle ``spec`` ("사과" + "을" → "사과를")."""
    return word + particle(word, spec)


def expected_form(word: str, form: str) -> str | None:
    """The correct form for ``word`` of the alternating particle ``form`` (None if ``form`` does not alternate)."""
    if form not in _LOOKUP:
        return None
    return particle(word, form)
