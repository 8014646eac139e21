"""The project's own bilingual corpus generator (gpt_demo.corpus): determinism, variety, Korean particles,
English articles and capitals, sentence counts, and the train/val files."""

from __future__ import annotations

import hashlib
import itertools
import random
import re
import subprocess
import sys

import pytest

from gpt_demo.corpus import PATTERNS, generate_text, iter_paragraphs, iter_records, patterns_for, write_corpus
from gpt_demo.corpus.hangul import attach, expected_form
from gpt_demo.corpus.lexicon import NOUN_POOLS, content_words, pool
from gpt_demo.corpus.template import MAX_SENTENCES, MIN_SENTENCES, render_pattern, split_sentences

N_SAMPLE = 1500  # paragraphs per language checked below


@pytest.fixture(scope="module")
def records() -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for lang in ("ko", "en"):
        out[lang] = [(key, text) for _, key, text, _ in itertools.islice(iter_records(7, lang), N_SAMPLE)]
    return out


# --- determinism ------------------------------------------------------------------------------
def test_same_seed_same_text_different_seed_different_text():
    a = generate_text(5, 20_000)
    assert a == generate_text(5, 20_000)
    assert a != generate_text(6, 20_000)
    assert len(a.encode("utf-8")) >= 20_000
    assert "\n\n" not in a and not a.endswith("\n")
    assert generate_text(5, 0) == ""
    one = generate_text(5, 1)
    assert "\n" not in one and a.startswith(one)


def test_deterministic_across_processes():
    code = (
        "import hashlib; from gpt_demo.corpus import generate_text; "
        "print(hashlib.sha256(generate_text(11, 30000).encode()).hexdigest())"
    )
    # A different hash seed in the child would change any hash()-based choice.
    env = {"PYTHONHASHSEED": "12345", "PATH": ""}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == hashlib.sha256(generate_text(11, 30000).encode()).hexdigest()


def test_stream_does_not_touch_global_random():
    random.seed(3)
    expected = random.random()
    random.seed(3)
    list(itertools.islice(iter_paragraphs(1), 50))
    assert random.random() == expected


def test_lang_mix_and_single_language():
    langs = [lg for lg, *_ in itertools.islice(iter_records(3), 2000)]
    assert 0.4 < langs.count("ko") / len(langs) < 0.6
    assert all(lg == "ko" for lg, *_ in itertools.islice(iter_records(3, "ko"), 200))
    with pytest.raises(ValueError):
        next(iter_paragraphs(1, "fr"))


# --- variety ------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_at_least_300_content_words_and_40_patterns(lang):
    assert len(content_words(lang)) >= 300
    pats = patterns_for(lang)
    assert len(pats) >= 40
    assert len({p.key for p in pats}) == len(pats)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_generated_text_uses_300_content_words(lang):
    lexicon = content_words(lang)
    used: set[str] = set()
    keys: set[str] = set()
    for _, key, text, words in itertools.islice(iter_records(21, lang), 4000):
        used.update(w for w in words if w in lexicon and w in text)
        keys.add(key)
    assert len(used) >= 300
    assert len(keys - {"concept"}) >= 40


def test_every_pattern_has_3_to_8_required_sentences():
    for p in PATTERNS:
        for lang in ("ko", "en"):
            lo, hi = p.sentence_bounds(lang)
            assert MIN_SENTENCES <= lo <= MAX_SENTENCES, (p.key, lang, lo)
            assert hi >= lo


# --- Korean particles ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("word", "particle", "expected"),
    [
        ("학교", "에서", "학교에서"),
        ("사과", "을", "사과를"),
        ("책", "을", "책을"),
        ("친구", "와", "친구와"),
        ("책", "와", "책과"),
        ("연필", "으로", "연필로"),
        ("서울", "으로", "서울로"),
        ("집", "로", "집으로"),
        ("물", "를", "물을"),
        ("민수", "아", "민수야"),
        ("민준", "아", "민준아"),
        ("공원", "이에요", "공원이에요"),
        ("우유", "이에요", "우유예요"),
        ("바다", "은", "바다는"),
        ("3", "을", "3을"),
    ],
)
def test_particle_helper(word, particle, expected):
    assert attach(word, particle) == expected


_PARTICLES = ("이에요", "예요", "으로", "은", "는", "이", "가", "을", "를", "과", "와", "로")


def _particle_errors(text: str, nouns: list[str]) -> list[str]:
    noun_re = "|".join(re.escape(n) for n in sorted(nouns, key=len, reverse=True))
    pat = re.compile(r'(?:(?<=^)|(?<=[\s"]))(' + noun_re + r")(" + "|".join(_PARTICLES) + r')(?=[\s.,!?"]|$)')
    errors = []
    for m in pat.finditer(text):
        noun, part = m.group(1), m.group(2)
        want = expected_form(noun, part)
        if want is not None and want != part:
            errors.append(f"{noun}{part} (want {noun}{want}) in: {text[max(0, m.start() - 30) : m.end() + 30]}")
    return errors


def test_korean_text_has_no_placeholders_and_right_particles(records):
    nouns = {w.ko for t in NOUN_POOLS for w in pool(t, "ko")} | {w.ko for w in pool("name", "ko")}
    nouns |= {w.ko for w in pool("pet_name", "ko")}
    errors = []
    for key, text in records["ko"]:
        if key == "concept":
            continue
        assert "{" not in text and "}" not in text, text
        assert re.search(r"[가-힣]", text)
        errors += _particle_errors(text, sorted(nouns))
    assert not errors, "\n".join(errors[:20])


def test_particle_checker_catches_a_wrong_particle():
    assert _particle_errors("민수는 사과을 먹었다.", ["사과"])
    assert not _particle_errors("민수는 사과를 먹었다.", ["사과"])


# --- sentences ----------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_story_paragraphs_have_3_to_8_sentences(records, lang):
    for key, text in records[lang]:
        if key == "concept":
            continue
        n = len(split_sentences(text))
        assert MIN_SENTENCES <= n <= MAX_SENTENCES, (n, text)


def test_every_pattern_renders_in_both_languages():
    rng = random.Random(0)
    for p in PATTERNS:
        for lang in ("ko", "en"):
            for _ in range(5):
                sents = render_pattern(p, lang, rng)
                text = " ".join(sents)
                assert "{" not in text and "}" not in text, (p.key, text)
                assert MIN_SENTENCES <= len(sents) <= MAX_SENTENCES


# --- English ------------------------------------------------------------------------------------
_BAD_A = re.compile(r"\b[Aa] (?!one\b|once\b|uni|use|usu|eu|u\.)[aeiouAEIOU]\w*")
_BAD_AN = re.compile(r"\b[Aa]n (?!hour|honest|honor|heir)[b-df-hj-np-tv-zB-DF-HJ-NP-TV-Z]\w*")


def test_english_articles_and_capitals(records):
    for key, text in records["en"]:
        if key == "concept":
            continue
        assert "{" not in text and "}" not in text, text
        assert not _BAD_A.search(text), text
        assert not _BAD_AN.search(text), text
        assert not re.search(r"[가-힣]", text), text
        for s in split_sentences(text):
            first = s.lstrip('"')
            assert first[:1].isupper(), (s, text)
        assert "  " not in text
        assert not re.search(r"\b(\w+) \1\b", text.lower()), text


def test_article_helper():
    from gpt_demo.corpus.english import with_article

    assert with_article("apple") == "an apple"
    assert with_article("banana") == "a banana"
    assert with_article("umbrella") == "an umbrella"
    assert with_article("unicorn") == "a unicorn"
    assert with_article("hour") == "an hour"


# --- files --------------------------------------------------------------------------------------
def test_write_corpus(tmp_path):
    stats = write_corpus(tmp_path / "c", train_mb=0.4, val_mb=0.1, seed=1, val_seed=2)
    train = (tmp_path / "c" / "train.txt").read_text(encoding="utf-8")
    val = (tmp_path / "c" / "val.txt").read_text(encoding="utf-8")
    assert len(train.encode()) >= 400_000 and len(val.encode()) >= 100_000
    assert stats["train"]["bytes"] == len(train.encode()) and stats["val"]["bytes"] == len(val.encode())
    train_lines, val_lines = train.splitlines(), val.splitlines()
    assert stats["train"]["lines"] == len(train_lines) and all(line.strip() for line in train_lines)
    assert set(stats["train"]["paragraphs"]) == {"ko", "en"}
    assert stats["patterns"] == {"ko": len(PATTERNS), "en": len(PATTERNS)}
    assert stats["train"]["patterns_used"] == len(PATTERNS)
    assert not [p for p in (tmp_path / "c").iterdir() if p.name not in ("train.txt", "val.txt")]  # no temp files left
    # Held out: hardly any validation story is also a training story.
    recs = list(itertools.islice(iter_records(2), len(val_lines)))
    assert [t for _, _, t, _ in recs] == val_lines  # the file is exactly the seeded stream
    stories = [t for _, k, t, _ in recs if k != "concept"]
    train_set = set(train_lines)
    same = sum(line in train_set for line in stories)
    assert same / len(stories) < 0.05


def test_write_corpus_rejects_same_seed(tmp_path):
    with pytest.raises(ValueError):
        write_corpus(tmp_path, train_mb=0.1, val_mb=0.1, seed=3, val_seed=3)
    assert not (tmp_path / "train.txt").exists()


def test_write_corpus_is_atomic(tmp_path, monkeypatch):
    import gpt_demo.corpus as corpus

    write_corpus(tmp_path, train_mb=0.05, val_mb=0.01, seed=1, val_seed=2)
    before = (tmp_path / "train.txt").read_bytes()

    def broken(seed, lang=None):
        yield from itertools.islice(iter_records(seed, lang), 5)
        raise RuntimeError("disk full")

    monkeypatch.setattr(corpus, "iter_records", broken)
    with pytest.raises(RuntimeError):
        write_corpus(tmp_path, train_mb=0.05, val_mb=0.01, seed=8, val_seed=9)
    assert (tmp_path / "train.txt").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["train.txt", "val.txt"]
