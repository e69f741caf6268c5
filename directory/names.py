"""Which units a caller named by voice: a speech transcript ("till Lulea tack") matched against unit names.

Pure: no database and no web. The voice flow passes the units it offers (already filtered by kind), the CLI
passes every unit. A name is read as words of three sorts: kind words ("kommun", "hälsocentralen", "sjukhus"),
filler ("i", "till", "tack") and the distinctive rest ("Luleå", "Hertsön"); only distinctive words identify a
unit, kind words break ties between units of different kinds, filler is ignored on both sides.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Protocol

# Every inflection of a kind word (normalised), and the kind it stands for. Hälsocentral and vårdcentral are
# the same thing in different regions, so they are one kind.
KIND_WORDS = {
    **dict.fromkeys(("kommun", "kommunen", "kommuns", "kommunens"), "kommun"),
    **dict.fromkeys(
        ("halsocentral", "halsocentralen", "halsocentralens", "vardcentral", "vardcentralen", "vardcentralens"),
        "halsocentral",
    ),
    **dict.fromkeys(("avdelning", "avdelningen", "avdelningens", "avd"), "avdelning"),
    **dict.fromkeys(("sjukhus", "sjukhuset", "sjukhusets", "lasarett", "lasarettet"), "sjukhus"),
    **dict.fromkeys(("region", "regionen", "regionens", "landsting", "landstinget"), "region"),
    **dict.fromkeys(("vaxel", "vaxeln", "vaxelns"), "vaxel"),
    **dict.fromkeys(("hemtjanst", "hemtjansten", "hemtjanstens"), "hemtjanst"),
    **dict.fromkeys(("beredskap", "beredskapen", "beredskapens"), "beredskap"),
    **dict.fromkeys(("boende", "boendet", "omsorgsboende", "omsorgsboendet", "aldreboende", "aldreboendet"), "boende"),
}
# Kind words that end compounds ("Medicinavdelningen", "luleåkommun" as the recogniser may join it), longest first.
COMPOUND_ENDINGS = sorted((w for w in KIND_WORDS if len(w) >= 6), key=len, reverse=True)
MIN_COMPOUND_STEM = 3
MIN_GENITIVE_STEM = 3  # "Ryds" is Ryd with a genitive s; shorter words keep their s
# Words that name nothing: what callers say around a name, and "vård" of "Vård- och omsorgsboendet".
FILLER = frozenset(
    """
    i till pa tack tackar det ar jag vi vill ska skulle kan rapportera rapport anmala om av at for med och fran ifran
    hos vid en ett den de mig min mitt var vara ringer ringa heter galler hej halla hallo ja nej jo okej ok eh ehm oh
    ah hm hmm mm um uh alltsa sa nu har snalla garna kod koden nummer numret an vard
    """.split()  # noqa: SIM905  (a word list reads better as words than as 70 quoted strings)
)
DIGIT_WORDS = {
    "noll": "0",
    "nolla": "0",
    "en": "1",
    "ett": "1",
    "etta": "1",
    "tva": "2",
    "tvaa": "2",
    "tre": "3",
    "fyra": "4",
    "fem": "5",
    "sex": "6",
    "sju": "7",
    "atta": "8",
    "nio": "9",
}
AMBIGUOUS_DIGIT_WORDS = frozenset({"en", "ett"})  # articles, unless among other digits ("två fem en noll")
FUZZY_MIN_LETTERS = 4  # shorter words must be heard exactly
FUZZY_MIN_RATIO = 0.8
MAX_WORDS = 16  # of a transcript's distinctive words; a name is a few of them
MAX_GRAM = 3  # "över kalix" is one word split in two; three covers "lule å kommun"-style splits
MAX_INDEXES = 32

# How a name's evidence becomes a score (see `match_units`).
MAIN_WEIGHT = 0.75  # the part before the comma names the unit; after it is where it is ("…, Luleå")
KIND_FLOOR = 0.5  # a kind word the caller said that the name lacks halves the score
UNSAID_KIND_PENALTY = 0.03  # per kind word of the name the caller left out, up to three: a tie-breaker
KIND_ONLY_SCORE = 0.3  # "hälsocentralen" alone: every unit of that kind, equally
MIN_SCORE = 0.25

HINT_MAX_CHARS = 100  # Twilio's limits for <Gather hints>
HINT_MAX_PHRASES = 500


class UnitLike(Protocol):
    """What matching needs of a unit (the directory's Unit and a UnitSnapshot both have it)."""

    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str: ...


@dataclass(frozen=True)
class NameMatch:
    """A unit the caller may have named, and how well (1.0: every word said is in its name, and the reverse)."""

    code: str
    name: str
    kind: str
    score: float


@dataclass(frozen=True)
class _Words:
    """A text read as words: distinctive ones in order, and the kinds its kind words name."""

    distinctive: tuple[str, ...]
    kinds: frozenset[str]


@dataclass(frozen=True)
class _Entry:
    """A unit as the matcher sees it: distinctive words of its name's main part and of its place part."""

    code: str
    name: str
    kind: str
    main: tuple[str, ...]
    place: tuple[str, ...]
    kinds: frozenset[str]


def normalise(text: str) -> str:
    """Text folded for comparison: no case, no diacritics (å, ä → a, ö → o), punctuation as spaces, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", bare).split())


def match_units(spoken: str, units: Sequence[UnitLike]) -> list[NameMatch]:
    """The units the transcript names, best first (equally good ones with equal scores, in the given order).

    A spoken code ("2580", "två fem åtta noll") scores 1.0. Otherwise a unit's score is the harmonic mean of
    recall (the share of its name's distinctive words heard; with a place after the comma, the main part weighs
    0.75 and the place 0.25) and precision (the share of the distinctive words heard that its name explains),
    halved when none of the kind words said is in the name, and lowered by 0.03 per kind word of the name left
    unsaid. Words may be misheard slightly (four letters or more), split in two or three, or joined.
    """
    index = _index(tuple((u.code, u.name, u.kind) for u in units))
    tokens = _tokens(spoken)
    coded, code_tokens = _code_matches(tokens, index)
    words = _read([t for i, t in enumerate(tokens) if i not in code_tokens])
    if words.distinctive:
        named = _name_matches(words, index)
    elif words.kinds:
        named = {i: KIND_ONLY_SCORE for i, e in enumerate(index) if words.kinds <= e.kinds}
    else:
        named = {}
    scores = {**named, **dict.fromkeys(coded, 1.0)}
    ranked = sorted((i for i, s in scores.items() if s >= MIN_SCORE), key=lambda i: (-scores[i], i))
    return [NameMatch(index[i].code, index[i].name, index[i].kind, round(scores[i], 3)) for i in ranked]


def hints_for(units: Sequence[UnitLike]) -> str:
    """Twilio <Gather hints>: one comma-separated string of every name and its short forms, without repeats."""
    phrases: dict[str, str] = {}
    for unit in units:
        for phrase in _phrases(unit.name):
            if len(phrases) < HINT_MAX_PHRASES:
                phrases.setdefault(phrase.casefold(), phrase)
    return ", ".join(phrases.values())


def _phrases(name: str) -> Iterable[str]:
    """The whole name, each comma-separated part, and each part without kind words or filler ("Luleå")."""
    parts = [_hint_words(part) for part in name.split(",")]
    candidates = [" ".join(w for part in parts for w in part)]
    for part in parts:
        candidates.append(" ".join(part))
        short = [w for w in part if _read(_tokens(w)).distinctive]
        if not all(w.isdigit() for w in short):  # "Vårdavdelning 2" → not "2"
            candidates.append(" ".join(short))
    return [_clip(c) for c in candidates if c]


def _hint_words(text: str) -> list[str]:
    """Words as the recogniser should expect them: spelt as in the directory, separated by spaces only."""
    return re.sub(r"[^\w]+|_", " ", text).split()


def _clip(phrase: str) -> str:
    """At most HINT_MAX_CHARS, cut between words."""
    while len(phrase) > HINT_MAX_CHARS and " " in phrase:
        phrase = phrase.rsplit(" ", 1)[0]
    return phrase[:HINT_MAX_CHARS]


@lru_cache(maxsize=MAX_INDEXES)
def _index(units: tuple[tuple[str, str, str], ...]) -> tuple[_Entry, ...]:
    """Each unit's words, read once per distinct set of units."""
    entries = []
    for code, name, kind in units:
        main_text, _, place_text = name.partition(",")
        main, place = _read(_tokens(main_text)), _read(_tokens(place_text))
        main_words, place_words = main.distinctive, place.distinctive
        if not main_words:  # "Hälsocentralen, Kiruna": the place is all that tells it apart
            main_words, place_words = place_words, ()
        entries.append(_Entry(code, name, kind, main_words, place_words, main.kinds | place.kinds))
    return tuple(entries)


def _tokens(text: str) -> list[str]:
    """Normalised words, digits apart from letters ("61an" → 61 an), digit words as digits ("två fem" → 2 5)."""
    words = re.sub(r"(?<=\d)(?=[^\W\d])|(?<=[^\W\d])(?=\d)", " ", normalise(text)).split()
    out: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if word and (word.isdigit() or word in DIGIT_WORDS):
            run.append(word)
            continue
        if len(run) > 1 or (run and run[0] not in AMBIGUOUS_DIGIT_WORDS):
            run = [DIGIT_WORDS.get(w, w) for w in run]
        out.extend(run)
        run = []
        if word:
            out.append(word)
    return out


def _read(tokens: Sequence[str]) -> _Words:
    """Tokens sorted into distinctive words and kinds; filler dropped; "medicinavdelningen" → medicin + avdelning."""
    distinctive: list[str] = []
    kinds: set[str] = set()
    for token in tokens:
        kind = KIND_WORDS.get(token)
        if kind is None:
            token, kind = _split_compound(token)
        if kind is not None:
            kinds.add(kind)
        if token and token not in FILLER and token not in KIND_WORDS:
            distinctive.append(token)
    return _Words(tuple(distinctive[:MAX_WORDS]), frozenset(kinds))


def _split_compound(token: str) -> tuple[str, str | None]:
    """A word ending in a kind word, split into its stem and that kind; any other word as it is."""
    for ending in COMPOUND_ENDINGS:
        stem = token.removesuffix(ending)
        if stem != token and len(stem) >= MIN_COMPOUND_STEM and stem.isalpha():
            return stem, KIND_WORDS[ending]
    return token, None


def _code_matches(tokens: Sequence[str], index: Sequence[_Entry]) -> tuple[list[int], set[int]]:
    """Units whose code was said, and the positions of the digits that said it: each run of digits whole
    ("25 80" → 2580), else each number in it ("61 2580")."""
    codes = {e.code: i for i, e in enumerate(index)}
    found: list[int] = []
    used: set[int] = set()
    position = 0
    while position < len(tokens):
        end = position
        while end < len(tokens) and tokens[end].isdigit():
            end += 1
        if end == position:
            position += 1
            continue
        whole = "".join(tokens[position:end])
        spans = (
            [(whole, range(position, end))]
            if whole in codes
            else [(tokens[k], range(k, k + 1)) for k in range(position, end)]
        )
        for number, span in spans:
            if number in codes:
                found.append(codes[number])
                used.update(span)
        position = end
    return found, used


def _name_matches(words: _Words, index: Sequence[_Entry]) -> dict[int, float]:
    """Each unit whose distinctive words were heard, with its score."""
    heard = words.distinctive
    grams = [
        ("".join(heard[start:end]), start, end)
        for start in range(len(heard))
        for end in range(start + 1, min(start + MAX_GRAM, len(heard)) + 1)
    ]
    similarity: dict[str, list[tuple[float, int, int]]] = {}  # a name's word → the grams that sound like it
    scores: dict[int, float] = {}
    for i, entry in enumerate(index):
        explained: set[int] = set()
        main = _coverage(entry.main, grams, similarity, explained)
        place = _coverage(entry.place, grams, similarity, explained)
        if not explained:
            continue  # none of its words was heard
        recall = MAIN_WEIGHT * main + (1 - MAIN_WEIGHT) * place if entry.place else main
        precision = len(explained) / len(heard)
        said_kinds = len(words.kinds & entry.kinds) / len(words.kinds) if words.kinds else 1.0
        unsaid_kinds = min(len(entry.kinds - words.kinds), 3)
        harmonic = 2 * recall * precision / (recall + precision)
        kinds = (KIND_FLOOR + (1 - KIND_FLOOR) * said_kinds) * (1 - UNSAID_KIND_PENALTY * unsaid_kinds)
        scores[i] = harmonic * kinds
    return scores


def _coverage(
    name_words: tuple[str, ...],
    grams: Sequence[tuple[str, int, int]],
    similarity: dict[str, list[tuple[float, int, int]]],
    explained: set[int],
) -> float:
    """The share of the name's words heard (misheard ones count as their likeness); adds the heard words used."""
    if not name_words:
        return 0.0
    heard = [0.0] * len(name_words)
    for start in range(len(name_words)):
        for end in range(start + 1, min(start + 2, len(name_words)) + 1):  # two of its words heard as one
            piece = "".join(name_words[start:end])
            if piece not in similarity:
                similarity[piece] = [(s, a, b) for gram, a, b in grams if (s := _likeness(piece, gram))]
            for score, first, last in similarity[piece]:
                for k in range(start, end):
                    heard[k] = max(heard[k], score)
                explained.update(range(first, last))
    return sum(heard) / len(heard)


def _likeness(name_word: str, heard: str) -> float:
    """1.0 for the same word (also with a genitive s: "Linköpings"), the likeness of a near miss, else 0."""
    if name_word == heard:
        return 1.0
    if not (name_word.isalpha() and heard.isalpha()):
        return 0.0  # codes and numbers only ever match exactly
    shorter, longer = sorted((name_word, heard), key=len)
    if longer == shorter + "s" and len(shorter) >= MIN_GENITIVE_STEM:
        return 1.0
    if len(shorter) < FUZZY_MIN_LETTERS or 2 * len(shorter) / (len(shorter) + len(longer)) < FUZZY_MIN_RATIO:
        return 0.0  # the length bound spares SequenceMatcher most pairs
    ratio = SequenceMatcher(None, name_word, heard).ratio()
    return ratio if ratio >= FUZZY_MIN_RATIO else 0.0
