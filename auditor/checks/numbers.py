"""Numbers and quantities compared across aligned segments (AUD201), and French number style left in
English (AUD404).

Each side is read in its own conventions ("5 200", "3,5", "17 h", "5 janvier" in French; "5,200", "3.5",
"5 p.m.", "January 5" in English) into canonical keys; a quantity matches when its key sets intersect, so
formatting never counts as a mismatch. Spelled-out numbers ("two" against "2") are accepted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from auditor.checks.registry import CheckContext, Rule, register
from auditor.checks.text import Pair, fold, is_lang, pairs
from auditor.report import Flag, Severity

Key = tuple[str, float]

MONTHS = {
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"],
    "en": ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"],
}  # fmt: skip
_EN_MONTH_ABBR = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

_SCALES = {
    "fr": {"mille": 1e3, "milles": 1e3, "million": 1e6, "millions": 1e6, "milliard": 1e9, "milliards": 1e9},
    "en": {"thousand": 1e3, "million": 1e6, "millions": 1e6, "billion": 1e9, "billions": 1e9,
           "trillion": 1e12, "bn": 1e9},
}  # fmt: skip

_NUMBER_WORDS = {
    "en": {
        "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
        "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
        "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
        "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
        "thousand": 1000, "dozen": 12, "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
        "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "half": 0.5, "twice": 2,
        "once": 1, "single": 1, "double": 2, "triple": 3, "million": 1e6, "billion": 1e9, "twenties": 20,
        "thirties": 30, "forties": 40, "fifties": 50, "sixties": 60, "seventies": 70, "eighties": 80,
        "nineties": 90,
    },
    "fr": {
        "zéro": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
        "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14,
        "quinze": 15, "seize": 16, "vingt": 20, "vingts": 20, "trente": 30, "quarante": 40,
        "cinquante": 50, "soixante": 60, "cent": 100, "cents": 100, "mille": 1000, "douzaine": 12,
        "dizaine": 10, "dizaines": 10, "centaine": 100, "centaines": 100, "millier": 1000,
        "milliers": 1000, "premier": 1, "première": 1, "deuxième": 2, "second": 2, "seconde": 2,
        "troisième": 3, "quatrième": 4, "cinquième": 5, "dixième": 10, "moitié": 0.5, "demi": 0.5,
        "double": 2, "triple": 3, "million": 1e6, "millions": 1e6, "milliard": 1e9, "milliards": 1e9,
        "vingtaine": 20, "trentaine": 30, "quarantaine": 40, "cinquantaine": 50, "soixantaine": 60,
    },
}  # fmt: skip

_SEP = "[,.\u00a0\u202f\u2009 ]"
_NUM = re.compile(rf"\d+(?:{_SEP}\d+)*")
_ORDINAL = re.compile(r"(?:er|re|ère|e|ème|nd|st|rd|th)\b", re.IGNORECASE)
_ROMAN_ORD = re.compile(r"\b([IVXLC]{2,7}(?:e|ème|er)|[IVX](?:ème|er))\b")
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_FR_TIME = re.compile(r"(?<![\w-])(\d{1,2})\s*(?:h|heures?)(?:\s*(\d{2}))?(?![\w])")
_NUMERIC_DATE = re.compile(r"(?<![\w.,/-])(\d{1,2})([./])(\d{1,2})\2((?:19|20)\d{2})(?![\w.,/-]|[.,/]\d)")
_EN_TIME = re.compile(
    r"\b(\d{1,2})(?:[:.](\d{2}))?\s*(a\.?\s?m\.?|p\.?\s?m\.?)(?![a-z])|\b(\d{1,2})\s*o'clock", re.IGNORECASE
)
_CLOCK = re.compile(r"\b(\d{1,2}): ?(\d{2})\b")  # "2: 00" is how MT often detokenizes 2:00


@dataclass
class Quantity:
    keys: frozenset[Key]
    start: int
    end: int
    surface: str
    spelled: bool = (
        False  # written in words ("deux", "three quarters"): flagged only against another quantity
    )


def _roman(text: str) -> int | None:
    total = 0
    for i, ch in enumerate(text):
        value = _ROMAN[ch]
        if i + 1 < len(text) and _ROMAN[text[i + 1]] > value:
            total -= value
        else:
            total += value
    return total or None


def _number_values(token: str, lang: str) -> list[tuple[int, int, set[float]]]:
    """Values of one digit token (with separators); a space that cannot be a thousands separator splits."""
    parts = re.split(rf"({_SEP})", token)
    groups, seps = parts[0::2], parts[1::2]
    spaces = [i for i, s in enumerate(seps) if s in "\u00a0\u202f\u2009 "]
    if spaces:
        chunks: list[list[int]] = [[]]
        for i, group in enumerate(groups):
            if (
                i > 0
                and seps[i - 1] in "\u00a0\u202f\u2009 "
                and not (len(group) == 3 and len(groups[0]) <= 3)
            ):
                chunks.append([])
            chunks[-1].append(i)
        if len(chunks) > 1:
            out: list[tuple[int, int, set[float]]] = []
            pos = 0
            for chunk in chunks:
                sub = groups[chunk[0]] + "".join(seps[i - 1] + groups[i] for i in chunk[1:])
                found = token.find(sub, pos)
                pos = found + len(sub)
                out.extend((found + a, found + b, v) for a, b, v in _number_values(sub, lang))
            return out
    marks = [s for s in seps if s in ",."]
    digits = "".join(groups)
    values: set[float] = set()
    if not marks:
        values.add(float(digits))
    elif len(set(marks)) == 2:
        decimal = marks[-1]
        whole, _, frac = token.replace(" ", "").rpartition(decimal)
        values.add(float(re.sub(r"\D", "", whole) + "." + frac))
    elif len(marks) > 1:
        values.add(float(digits))
    else:
        mark = marks[0]
        whole, _, frac = re.sub(r"[\u00a0\u202f\u2009 ]", "", token).partition(mark)
        decimal = float(f"{whole}.{frac}")
        if len(frac) != 3:
            values.add(decimal)
        else:
            # "3,500" or "3.500": each convention reads it differently and sources mix them ("80,000 âmes"),
            # so both readings are kept; a match on either is not a mismatch.
            values.update({decimal, float(whole + frac)})
    return [(0, len(token), values)]


def _identifier(text: str, start: int) -> bool:
    """Digits after "LETTERS-" belong to a name ("COVID-19", "F-16") unless the prefix is a lowercase word."""
    prefix = re.search(r"([A-Za-z]+)-$", text[:start])
    return prefix is None or not prefix.group(1).islower()


def _scale_after(text: str, end: int, scales: dict[str, float]) -> float | None:
    """The scale word after a number ("millions"), also across a range ("1 et 0,5 milliard")."""
    m = re.match(
        r"(?:[\s\u00a0\u202f]*(?:-|–|to|à|et|and|or|ou)[\s\u00a0\u202f]*[\d.,\u00a0\u202f ]+)?"
        r"[\s\u00a0\u202f-]*([a-zA-Z]+)\b",
        text[end:],
    )
    return scales.get(m.group(1).lower()) if m else None


def _decade_alternatives(values: set[float]) -> set[Key]:
    """ "the 80s" and "les années 1980" name the same decade."""
    out: set[Key] = set()
    for v in values:
        if v in (10, 20, 30, 40, 50, 60, 70, 80, 90):
            out.add(("num", 1900 + v))
        elif 1910 <= v <= 1990 and v % 10 == 0:
            out.add(("num", v - 1900))
    return out


def extract(text: str, lang: str) -> list[Quantity]:
    """Quantities of a text in reading order, as canonical key sets with their spans."""
    found: list[Quantity] = []
    taken = [False] * len(text)

    def add(keys: set[Key], start: int, end: int, spelled: bool = False) -> None:
        if any(taken[start:end]):
            return
        for i in range(start, end):
            taken[i] = True
        found.append(Quantity(frozenset(keys), start, end, text[start:end], spelled))

    # Dates are read in both languages: a source may quote target-language text ("January 4, 2020").
    fr_months, en_months = MONTHS["fr"], MONTHS["en"]
    fr_alt = "|".join(fr_months)
    en_names = [*en_months, *_EN_MONTH_ABBR, "sept"]
    # In French text only capitalised English month names count ("mars", "mai" are French words).
    en_alt = "|".join(n.capitalize() for n in en_names) if lang == "fr" else "|".join(en_names)
    for m in re.finditer(rf"\b(\d{{1,2}}|1er)\s+({fr_alt})\b", text, re.IGNORECASE):
        day = 1 if m.group(1) == "1er" else int(m.group(1))
        add({("date", fr_months.index(m.group(2).lower()) * 100 + day)}, m.start(), m.end())
    for m in re.finditer(
        rf"\b({en_alt})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b|\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?"
        rf"({en_alt})\b\.?",
        text,
        re.IGNORECASE if lang != "fr" else 0,
    ):
        name = (m.group(1) or m.group(4)).lower()
        day = int(m.group(2) or m.group(3))
        month = en_months.index(name) if name in en_months else _EN_MONTH_ABBR.index(name[:3])
        add({("date", month * 100 + day)}, m.start(), m.end())
    for m in _NUMERIC_DATE.finditer(text):
        a, b = int(m.group(1)), int(m.group(3))
        keys_: set[Key] = {("date", (b - 1) * 100 + a)} if 1 <= b <= 12 else set()
        if 1 <= a <= 12:
            keys_.add(("date", (a - 1) * 100 + b))
        if keys_:
            add(keys_, m.start(), m.start() + len(m.group(0)) - len(m.group(4)) - 1)
    if lang == "fr":
        for m in _FR_TIME.finditer(text):
            hour, minute = int(m.group(1)), int(m.group(2) or 0)
            if hour <= 24:
                add(
                    {
                        ("time", hour * 60 + minute),
                        ("num", float(hour)),
                        ("num", round(hour + minute / 60, 6)),
                    },
                    m.start(),
                    m.end(),
                )
    else:
        for m in _EN_TIME.finditer(text):
            if m.group(4):
                hour = int(m.group(4))
                add({("time", hour * 60), ("time", (hour % 12 + 12) * 60)}, m.start(), m.end())
                continue
            hour, minute = int(m.group(1)), int(m.group(2) or 0)
            pm = m.group(3).lower().startswith("p")
            hour = hour % 12 + (12 if pm else 0)
            add({("time", hour * 60 + minute)}, m.start(), m.end())
    for m in _CLOCK.finditer(text):
        hour, minute = int(m.group(1)), int(m.group(2))
        if hour <= 24 and minute < 60:
            keys: set[Key] = {("time", hour * 60 + minute)}
            if hour < 12:
                keys.add(("time", (hour + 12) * 60 + minute))
            add(keys, m.start(), m.end())
    if lang == "fr":
        for m in _ROMAN_ORD.finditer(text):
            value = _roman(m.group(1).rstrip("eèmr"))
            if value:
                add({("num", float(value))}, m.start(), m.end())
    scales = _SCALES.get(lang, _SCALES["en"])
    for m in _NUM.finditer(text):
        before = text[m.start() - 1] if m.start() else " "
        before2 = text[m.start() - 2] if m.start() > 1 else " "
        if (
            before.isalpha()
            or before in "_@#"
            or (before == "-" and before2.isalpha() and _identifier(text, m.start()))
        ):
            continue
        token = m.group(0).rstrip(",. \u00a0\u202f\u2009")
        for a, b, values in _number_values(token, lang):
            start, end = m.start() + a, m.start() + b
            after = text[end:]
            suffix = _ORDINAL.match(after)
            if suffix:
                end += suffix.end()
            scale = _scale_after(text, end, scales)
            keys = {("num", round(v, 6)) for v in values}
            if scale:  # "5,2 millions": the scaled value, the bare one kept as an alternative reading
                keys |= {("num", round(v * scale, 3)) for v in values}
            keys |= _decade_alternatives(values)
            add(keys, start, end)
    for start, end, amount in spelled_quantities(text, lang):
        add({("num", round(amount, 6))}, start, end, spelled=True)
    found.sort(key=lambda q: q.start)
    return found


# Number words that are as often something else ("one of them", "second", "un livre", "neuf" = new) are read
# only inside a longer number ("twenty-one", "vingt et un").
_AMBIGUOUS = {
    "en": {"one", "first", "second", "single", "once", "double", "triple", "twice"},
    "fr": {
        "un",
        "une",
        "premier",
        "première",
        "second",
        "seconde",
        "double",
        "triple",
        "neuf",
        "quarantaine",
    },
}
# "une dizaine", "a dozen": the article before a collective number is not a number of its own
_COLLECTIVE = {"dozen", "douzaine", "dizaine", "dizaines", "vingtaine", "trentaine", "quarantaine",
               "cinquantaine", "soixantaine", "centaine", "centaines", "millier", "milliers"}  # fmt: skip
_QUARTERS = {"quarter", "quarters", "quart", "quarts"}
_SCALE_WORDS = {"thousand", "million", "millions", "billion", "billions", "mille", "milliard", "milliards"}
_JOINERS = {"and", "et"}


def _combine(values: list[float]) -> float:
    total, current = 0.0, 0.0
    for v in values:
        if v in (100, 1000, 1e6, 1e9):
            current = max(current, 1) * v
            if v >= 1000:
                total, current = total + current, 0.0
        else:
            current += v
    return total + current


def spelled_quantities(text: str, lang: str) -> list[tuple[int, int, float]]:
    """Numbers written in words, with their spans: "deux", "vingt-deux", "three quarters", "une dizaine"."""
    table = _NUMBER_WORDS.get(lang, _NUMBER_WORDS["en"])
    ambiguous = _AMBIGUOUS.get(lang, _AMBIGUOUS["en"])
    out: list[tuple[int, int, float]] = []
    run: list[tuple[int, int, str]] = []

    def close() -> None:
        while run and run[-1][2] in _JOINERS:
            run.pop()
        if not run:
            return
        words = [w for _, _, w in run if w not in _JOINERS]
        start, end = run[0][0], run[-1][1]
        run.clear()
        if len(words) == 1 and words[0] in ambiguous:
            return
        if all(w in _SCALE_WORDS for w in words) and re.search(r"\d[\s\u00a0\u202f]*$", text[:start]):
            return  # "5 millions": the scale belongs to the digits before it
        if words == ["cent"] and re.search(r"pour\s*$", text[:start], re.IGNORECASE):
            return  # "pour cent" is "percent"
        if len(words) > 1 and words[0] in ambiguous and words[1] in _COLLECTIVE:
            words = words[1:]
        values, quarters = [], False
        for w in words:
            if w in _QUARTERS:
                quarters = True
            else:
                values.append(float(table[w]))
        value = _combine(values) if values else 1.0
        out.append((start, end, value / 4 if quarters else value))

    for m in re.finditer(r"[^\W\d_]+", text):
        word = m.group(0).lower()
        gap = text[run[-1][1] : m.start()] if run else ""
        joined = run and gap.strip() in ("", "-")
        number = word in table or word in _QUARTERS
        if (number and (not run or joined)) or (word in _JOINERS and run and joined):
            run.append((m.start(), m.end(), word))
        else:
            close()
            if word in table or word in _QUARTERS:
                run.append((m.start(), m.end(), word))
    close()
    return [(a, b, v) for a, b, v in out if not (v == 1.0 and text[a:b].lower() in _QUARTERS)]


def spelled_values(text: str, lang: str) -> set[float]:
    """Values written in words ("fifty-two", "deux", "a dozen"): individual words and simple compounds."""
    table = _NUMBER_WORDS.get(lang, _NUMBER_WORDS["en"])
    values: set[float] = set()
    run: list[float] = []

    def close() -> None:
        if not run:
            return
        values.add(_combine(run))
        run.clear()

    for token in re.findall(r"[^\W\d_]+|\S", fold(text) if lang != "fr" else text.lower()):
        word = token
        if word in table:
            values.add(float(table[word]))
            run.append(float(table[word]))
        elif word in {"-", "et", "and"} and run:
            continue
        else:
            close()
    close()
    if lang == "fr":
        for m in re.finditer(r"quatre-vingts?(?:-(\w+))?|soixante-(\w+)", text.lower()):
            base = 80 if m.group(0).startswith("quatre") else 60
            unit = m.group(1) or m.group(2)
            values.add(base + float(table.get(unit, 0)) if unit else base)
    return values


@dataclass
class _Side:
    items: list[Quantity]
    offset: int


def _unmatched(src: list[Quantity], tgt: list[Quantity]) -> tuple[list[Quantity], list[Quantity]]:
    left = list(tgt)
    missing = []
    for quantity in src:
        hit = next((t for t in left if t.keys & quantity.keys), None)
        if hit is None:
            missing.append(quantity)
        else:
            left.remove(hit)
    return missing, left


def _digits_in(q: Quantity, other: str) -> bool:
    """The same digit run anywhere in the other text, glued to letters or not ("D137" against "D 137")."""
    digits = re.sub(r"\D", "", q.surface)
    return bool(digits) and re.search(rf"(?<![\d.,]){digits}(?!\d|[.,]\d)", other) is not None


def _values(q: Quantity) -> set[float]:
    return {v for kind, v in q.keys if kind == "num"}


def _describe(q: Quantity) -> str:
    return q.surface.replace("\u00a0", " ").replace("\u202f", " ")


@register(
    "AUD201",
    "number-mismatch",
    "accuracy/number",
    Severity.CRITICAL,
    "A number, date, time or quantity differs between the source and its translation.",
    "« 5 200 soldats » → “5,300 soldiers”",
    needs_source=True,
)
def check_numbers(ctx: CheckContext, rule: Rule) -> Iterator[Flag]:
    assert ctx.source is not None
    src_lang, tgt_lang = ctx.source.lang.split("-")[0], ctx.target.lang.split("-")[0]
    all_pairs = list(pairs(ctx))
    extracted = [(extract(p.source_text, src_lang), extract(p.target_text, tgt_lang)) for p in all_pairs]
    for n, (pair, (src, tgt)) in enumerate(zip(all_pairs, extracted, strict=True)):
        missing, extra = _unmatched(src, tgt)
        if not missing and not extra:
            continue
        src_words = spelled_values(pair.source_text, src_lang)
        tgt_words = spelled_values(pair.target_text, tgt_lang)
        missing = [q for q in missing if not _values(q) & tgt_words]
        extra = [q for q in extra if not _values(q) & src_words]
        # A quantity found in a neighbouring pair is more likely a sentence-alignment slip than an error.
        near = [extracted[i] for i in (n - 1, n + 1) if 0 <= i < len(extracted)]
        near_tgt = set().union(*(q.keys for _, side in near for q in side)) if near else set()
        near_src = set().union(*(q.keys for side, _ in near for q in side)) if near else set()
        missing = [q for q in missing if not q.keys & near_tgt]
        extra = [q for q in extra if not q.keys & near_src]
        if not (missing and extra):  # an unpaired one may still be written inside a name ("D137")
            missing = [q for q in missing if not _digits_in(q, pair.target_text)]
            extra = [q for q in extra if not _digits_in(q, pair.source_text)]
        # a number in words counts only against another number: "deux" rendered "both" is no error
        if not extra:
            missing = [q for q in missing if not q.spelled]
        if not missing:
            extra = [q for q in extra if not q.spelled]
        yield from _flags(ctx, rule, pair, missing, extra)


def _flags(
    ctx: CheckContext, rule: Rule, pair: Pair, missing: list[Quantity], extra: list[Quantity]
) -> Iterator[Flag]:
    segment = pair.row.index
    for i, q in enumerate(extra):
        span = (pair.target_start + q.start, pair.target_start + q.end)
        if i < len(missing):
            m = missing[i]
            yield rule.flag(
                ctx,
                span,
                f"“{_describe(q)}” does not match “{_describe(m)}” in the source",
                source_span=(pair.source_start + m.start, pair.source_start + m.end),
                segment=segment,
            )
        else:
            yield rule.flag(ctx, span, f"“{_describe(q)}” is not in the source", segment=segment)
    for m in missing[len(extra) :]:
        yield rule.flag(
            ctx,
            (pair.target_start, pair.target_end),
            f"“{_describe(m)}” of the source is missing from the translation",
            source_span=(pair.source_start + m.start, pair.source_start + m.end),
            segment=segment,
        )


_FRENCH_STYLE = re.compile(
    r"(?<![\w,.])\d{1,3}(?:[\u00a0\u202f\u2009 ]\d{3})+(?![\d,.]\d)"  # 5 200
    r"|(?<![\w,.])\d+,(?:\d{1,2}|\d{4,})(?![\d])"  # 3,5
    r"|(?<![\w,.])\d{1,2}\s?h(?:\s?\d{2})?(?![\w])"  # 17 h
)


@register(
    "AUD404",
    "french-number-format",
    "style/typography",
    Severity.MINOR,
    "A number written the French way in English (space for thousands, decimal comma, '17 h').",
    "“5 200 soldiers”, “3,5 %” → “5,200 soldiers”, “3.5%”",
)
def check_number_style(ctx: CheckContext, rule: Rule) -> Iterator[Flag]:
    if not is_lang(ctx, "en"):
        return
    for m in _FRENCH_STYLE.finditer(ctx.target.text):
        text = m.group(0)
        if re.fullmatch(r"\d{4}[\s\u00a0]\d{3}", text):  # "2019 300": a year then a number
            continue
        yield rule.flag(ctx, m.span(), f"“{text}” is written the French way")
