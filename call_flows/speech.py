"""Numbers, codes, times and dates as a Swede says them ("klockan tio och femton", codes digit by digit)."""

from __future__ import annotations

from datetime import date, datetime

ONES = [
    "noll",
    "ett",
    "två",
    "tre",
    "fyra",
    "fem",
    "sex",
    "sju",
    "åtta",
    "nio",
    "tio",
    "elva",
    "tolv",
    "tretton",
    "fjorton",
    "femton",
    "sexton",
    "sjutton",
    "arton",
    "nitton",
]
TENS = {20: "tjugo", 30: "trettio", 40: "fyrtio", 50: "femtio", 60: "sextio", 70: "sjuttio", 80: "åttio", 90: "nittio"}
WEEKDAYS = ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"]
MONTHS = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
]
ORDINALS = [
    "",
    "första",
    "andra",
    "tredje",
    "fjärde",
    "femte",
    "sjätte",
    "sjunde",
    "åttonde",
    "nionde",
    "tionde",
    "elfte",
    "tolfte",
    "trettonde",
    "fjortonde",
    "femtonde",
    "sextonde",
    "sjuttonde",
    "artonde",
    "nittonde",
    "tjugonde",
    "tjugoförsta",
    "tjugoandra",
    "tjugotredje",
    "tjugofjärde",
    "tjugofemte",
    "tjugosjätte",
    "tjugosjunde",
    "tjugoåttonde",
    "tjugonionde",
    "trettionde",
    "trettioförsta",
]
DIGIT_WORDS = {"*": "stjärna", "#": "fyrkant"}


def number_words(n: int) -> str:
    """0-9999 in Swedish words ("tjugofem", "tvåtusenfemhundraåttio")."""
    if not 0 <= n <= 9999:
        raise ValueError(f"{n} is outside 0-9999")
    if n < 20:
        return ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return TENS[tens * 10] + (ONES[ones] if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return ("ett" if hundreds == 1 else ONES[hundreds]) + "hundra" + (number_words(rest) if rest else "")
    thousands, rest = divmod(n, 1000)
    return ("ett" if thousands == 1 else ONES[thousands]) + "tusen" + (number_words(rest) if rest else "")


def digits(text: str) -> str:
    """A code or reference digit by digit: "2580" → "två, fem, åtta, noll"."""
    return ", ".join(DIGIT_WORDS.get(c, ONES[int(c)] if c.isdigit() else c) for c in text if not c.isspace())


def pair(two: str) -> str:
    """Two digits the way a Swede reads them in a number: "23" → "tjugotre", "08" → "noll åtta", "7" → "sju"."""
    if len(two) == 1 or two.startswith("0"):
        return " ".join(ONES[int(c)] for c in two)
    return number_words(int(two))


def in_pairs(text: str) -> str:
    """Digits read two at a time, as numbers: "194608239986" → "nitton fyrtiosex noll åtta …"."""
    only = [c for c in text if c.isdigit()]
    return " ".join(pair("".join(only[i : i + 2])) for i in range(0, len(only), 2))


def reference(text: str) -> str:
    """A reference read in pairs with a pause between them: "500219" → "femtio, noll två, nitton"."""
    only = "".join(c for c in text if c.isdigit())
    return ", ".join(pair(only[i : i + 2]) for i in range(0, len(only), 2))


def digit_groups(text: str, sizes: tuple[int, ...]) -> str:
    """Digits read in groups (each in pairs) with a pause between groups: a personnummer as year, month, day and
    the last four ("nitton fyrtiosex, noll åtta, tjugotre, nittionio åttiosex")."""
    parts, start = [], 0
    for size in sizes:
        parts.append(in_pairs(text[start : start + size]))
        start += size
    if start < len(text):
        parts.append(in_pairs(text[start:]))
    return ", ".join(p for p in parts if p)


def clock_time(moment: datetime) -> str:
    """A local time the Swedish way: "klockan tio och femton", "klockan tolv", "klockan tretton och två"."""
    hour = number_words(moment.hour)
    if moment.minute == 0:
        return f"klockan {hour}"
    minute = "noll " + ONES[moment.minute] if moment.minute < 10 else number_words(moment.minute)
    return f"klockan {hour} och {minute}"


def spoken_date(day: date, *, weekday: bool = True) -> str:
    """A date as spoken: "måndagen den tjugotredje november 2026" (the year only if given)."""
    text = f"den {ORDINALS[day.day]} {MONTHS[day.month - 1]}"
    return f"{WEEKDAYS[day.weekday()]}en {text}" if weekday else text


def spoken_date_with_year(day: date, *, weekday: bool = True) -> str:
    """A date with its year, for read-backs of keyed dates."""
    return f"{spoken_date(day, weekday=weekday)} {number_words(day.year)}"
