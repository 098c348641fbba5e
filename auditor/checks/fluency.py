"""French word order and grammar kept in English (AUD303, AUD310-AUD313, AUD320). Target-only patterns."""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.checks.registry import CheckContext, Rule, register
from auditor.checks.text import is_lang, target_segment_at
from auditor.report import Flag, Severity

NATIONALITIES = (
    "American|French|British|English|German|Italian|Spanish|Portuguese|Dutch|Belgian|Swiss|Austrian|Irish|"
    "Scottish|Welsh|Russian|Ukrainian|Polish|Czech|Hungarian|Romanian|Bulgarian|Greek|Turkish|Swedish|"
    "Norwegian|Danish|Finnish|Iranian|Iraqi|Syrian|Lebanese|Israeli|Palestinian|Jordanian|Egyptian|Libyan|"
    "Tunisian|Algerian|Moroccan|Saudi|Yemeni|Afghan|Pakistani|Indian|Chinese|Japanese|Korean|Vietnamese|"
    "Thai|Indonesian|Australian|Canadian|Mexican|Brazilian|Argentine|Argentinian|Chilean|Colombian|"
    "Venezuelan|Cuban|Nigerian|Malian|Senegalese|Ivorian|Congolese|Kenyan|Ethiopian|Somali|Sudanese|"
    "South African|European|African|Asian|Arab|Kurdish|Qatari|Emirati|Kuwaiti"
)
_POST_VERBS = "located|situated|based|stationed|deployed|installed|headquartered|present|posted|held|killed"
_POST_NOUNS = (
    "embassy|consulate|army|government|president|authorities|forces|troops|soldiers|navy|police|press|"
    "minister|ministry|economy|territory|capital|team|parliament|people|company|companies|border|side|"
    "diplomacy|diplomats|officials|citizens|nationals|leaders|justice|state|media"
)
_ADJ_AFTER_VERB = re.compile(
    rf"\b(?:{_POST_VERBS})\s+({NATIONALITIES})\b(?=\s*(?:[,.;:!?)]|$|and\b|or\b|where\b|which\b|who\b))"
)
_ADJ_AFTER_NOUN = re.compile(
    rf"\bthe\s+(?:{_POST_NOUNS})\s+({NATIONALITIES})\b(?=\s*(?:[,.;:!?)]|$|and\b|or\b|where\b|which\b|who\b|is\b|"
    rf"are\b|was\b|were\b|has\b|have\b))"
)


@register(
    "AUD310",
    "adjective-after-noun",
    "fluency/word-order",
    Severity.MAJOR,
    "A nationality adjective left after its noun or verb, in French order.",
    "“where the embassy is located American” → “where the American embassy is located”",
)
def check_adjective_order(ctx: CheckContext, rule: Rule) -> Iterator[Flag]:
    if not is_lang(ctx, "en"):
        return
    text = ctx.target.text
    for pattern in (_ADJ_AFTER_VERB, _ADJ_AFTER_NOUN):
        for m in pattern.finditer(text):
            # Reach back to the noun phrase the adjective belongs to: "the embassy is located American".
            clause_start = max(text.rfind(",", 0, m.start()), text.rfind(".", 0, m.start()), 0)
            lead = re.search(r"\b(?:where|which|that|who|the)\b[^,.;]*$", text[clause_start : m.start()])
            start = clause_start + lead.start() if lead else m.start()
            yield rule.flag(
                ctx,
                (start, m.end()),
                f"“{m.group(1)}” stands after its noun (French order)",
                segment=target_segment_at(ctx, m.start()),
            )


_REPORTING = (
    "tweeted|warned|declared|added|explained|stated|insisted|noted|stressed|argued|claimed|announced|"
    "indicated|confirmed|recalled|concluded|continued|replied|answered|retorted|assured|estimated|judged|"
    "affirmed|underlined|emphasi[sz]ed|launched|denounced|reacted|commented|lamented|regretted|welcomed|"
    "promised|threatened|wrote|posted|hammered|insisted|repeated|specified|acknowledged|deplored|"
    "told|asserted|observed|pointed out"
)
_INVERSION = re.compile(
    rf"[\"”»]\s*,\s+(?:(?:also|again|then|further|still)\s+)?(?:{_REPORTING})\s+"
    r"(?:(?:the|a|an|his|her|their|its|this|that)\s+)?[^\s,.;:!?\"“”]+(?:\s+[a-z][\w-]*){0,3}",
    re.IGNORECASE,
)


@register(
    "AUD311",
    "inversion-after-quote",
    "fluency/word-order",
    Severity.MINOR,
    "Verb before subject after a quotation, kept from French (“a tweeté le président”); English puts the "
    "subject first except with “said”.",
    "“…!”, also warned the president → “…!” the president also warned",
)
def check_quote_inversion(ctx: CheckContext, rule: Rule) -> Iterator[Flag]:
    if not is_lang(ctx, "en"):
        return
    for m in _INVERSION.finditer(ctx.target.text):
        span = (m.start(), m.end())
        yield rule.flag(
            ctx,
            span,
            "verb before subject after the quotation (French order)",
            segment=target_segment_at(ctx, m.start()),
        )


_FRONTED = re.compile(
    r"(?:^|(?<=[.!?]\s)|(?<=\n))((?:In|On|At|During|After|Before|Since|From|Throughout|Among)\s+"
    r"(?:(?:the|a|an|this|that|these|those|his|her|their|its|our)\s+)?(?!(?:the|a|an)\b)[\w'’-]+"
    r"(?:\s+(?!(?:the|a|an)\b)[\w'’-]+)?"
    r"\s+(?:began|started|begins|starts|came|comes|arrived|arrives|followed|follows|appeared|appears|"
    r"emerged|emerges|remained|remains|occurred|occurs|took place|takes place|arose|ended|ends|"
    r"opened|opens|broke out|breaks out)\s+(?:what|the|a|an|his|her|their|its|this|these|those|some|several)"
    r"\b(?:\s+\w+){0,2})"
)


@register(
    "AUD312",
    "fronted-inversion",
    "fluency/word-order",
    Severity.MINOR,
    "Verb–subject inversion after a fronted time or place phrase, kept from French "
    "(“Dans la soirée a commencé…”).",
    "“In the evening began what could be…” → “What could be … began in the evening”",
)
def check_fronted_inversion(ctx: CheckContext, rule: Rule) -> Iterator[Flag]:
    if not is_lang(ctx, "en"):
        return
    for m in _FRONTED.finditer(ctx.target.text):
        yield rule.flag(
            ctx,
            m.span(1),
            "verb before its subject after the opening phrase (French order)",
            segment=target_segment_at(ctx, m.start(1)),
        )


_CLAUSE_VERBS = {
    "said", "added", "stated", "noted", "explained", "announced", "insisted", "argued", "claimed", "reported",
    "wrote", "told", "revealed", "confirmed", "indicated", "stressed", "acknowledged", "admitted", "believed",
    "recalled", "estimated", "warned", "declared", "suggested", "concluded", "replied", "asked", "learned",
    "decided", "agreed", "ruled", "found", "showed", "predicted", "feared", "hoped", "expected", "promised",
}  # fmt: skip
_SPLIT = re.compile(
    r"\b([a-z]+ed)\s*,\s+((?:on|in|at|during|last|this|next|early|late|earlier|later|yesterday|today)\b"
    r"[^,;:.!?\"“”]{1,40}),\s+((?:the|a|an|his|her|its|their|these|those)\s+[\w-]+(?:\s+[\w-]+)?)"
)


@register(
    "AUD313",
    "split-verb-object",
    "fluency/word-order",
    Severity.MINOR,
    "A time or place phrase wedged between a verb and its object, in French order.",
    "“threatened, on Sunday January 5, the Iranian leaders to…” → “on Sunday threatened the Iranian leaders”",
)
def check_split_verb_object(ctx: CheckContext, rule: Rule) -> Iterator[Flag]:
    if not is_lang(ctx, "en"):
        return
    for m in _SPLIT.finditer(ctx.target.text):
        if m.group(1) in _CLAUSE_VERBS:
            continue
        yield rule.flag(
            ctx,
            (m.start(1), m.end(3)),
            f"“{m.group(2)}” separates “{m.group(1)}” from its object (French order)",
            segment=target_segment_at(ctx, m.start()),
        )


_NOT_NOUN = {
    "was", "were", "is", "are", "has", "have", "had", "will", "would", "could", "can", "may", "might", "that",
    "which", "who", "and", "or", "in", "on", "at", "of", "to", "for", "by", "with", "from",
}  # fmt: skip
_NUMBER_OF = re.compile(r"\bthe number of (\d[\d,.]*)\s+((?:[a-z]+\s+){0,2}[a-z]+)\b", re.IGNORECASE)


@register(
    "AUD303",
    "the-number-of-n",
    "fluency/calque",
    Severity.MINOR,
    "“the number of 52 sites”: French “le nombre de 52 sites”; English says “the 52 sites”.",
    "“the number of 52 Iranian sites” → “the 52 Iranian sites”",
)
def check_number_of(ctx: CheckContext, rule: Rule) -> Iterator[Flag]:
    if not is_lang(ctx, "en"):
        return
    for m in _NUMBER_OF.finditer(ctx.target.text):
        noun = m.group(2).split()
        while len(noun) > 1 and (noun[-1].lower() in _NOT_NOUN or noun[-1].endswith("ly")):
            noun.pop()
        phrase = " ".join(noun)
        end = m.start(2) + m.group(2).find(phrase) + len(phrase)
        yield rule.flag(
            ctx,
            (m.start(), end),
            "calque of “le nombre de N”",
            suggestion=f"the {m.group(1)} {phrase}",
            segment=target_segment_at(ctx, m.start()),
        )


_PAST_REPORTING = (
    "said|warned|announced|stated|explained|declared|claimed|insisted|indicated|noted|argued|revealed|"
    "confirmed|stressed|recalled|assured|added|believed|thought|knew|felt|feared"
)
_TENSE = re.compile(
    rf"\b(?:{_PAST_REPORTING})\s+that\s+((?:the\s+)?[A-Z][\w.]*(?:\s+[A-Z][\w.]*)*|he|she|they|it|we)\s+"
    r"((?:has|have)\s+(?:[a-z]+ed|been|had|made|taken|given|seen|done|chosen|won|lost|sent|built|begun|"
    r"written|spent|paid|bought|sold|found|held|left|kept|told|brought|put|set)\b)"
)


@register(
    "AUD320",
    "sequence-of-tenses",
    "fluency/grammar",
    Severity.MINOR,
    "Present perfect in reported speech after a past reporting verb (French tense kept).",
    "“Trump warned that the United States has selected 52 sites” → “had selected”",
)
def check_tense_sequence(ctx: CheckContext, rule: Rule) -> Iterator[Flag]:
    if not is_lang(ctx, "en"):
        return
    for m in _TENSE.finditer(ctx.target.text):
        words = m.group(2).split()
        yield rule.flag(
            ctx,
            m.span(2),
            "past reporting verb: the reported verb moves back a tense",
            suggestion=f"had {words[-1]}",
            segment=target_segment_at(ctx, m.start(2)),
        )
