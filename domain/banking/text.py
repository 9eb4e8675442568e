"""What a payer wrote, made comparable: creditor references and invoice numbers found in free
text, and payer names reduced to tokens.

Check digits are checked by ``domain.references`` (``rf_check_digits_hold``,
``ogm_check_digits_hold``: the sums alone, on what the patterns matched); this module finds
the candidates in a text (only those with valid check digits) and gives each one lookup key:

- a creditor reference's key is its letters and digits, upper case: ``"RF18 de20 2600…"`` →
  ``"RF18DE202600…"``, ``"+++090/9337/55493+++"`` → ``"090933755493"`` (``reference_key``);
- an invoice number's key is the number as ``db.invoice_numbers.format_invoice_number``
  writes it, ``"DE-2026-000012"`` (``invoice_number_key``): ``"DE 2026 12"``,
  ``"de.2026.000012"`` and ``"DE2026000012"`` all give it. Credit-note numbers
  (``CN-DE-2026-…``) are not invoices.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container
from difflib import SequenceMatcher
from typing import Literal, NamedTuple, get_args

from domain.policy import Jurisdiction
from domain.references import ogm_check_digits_hold, rf_check_digits_hold

FoundKind = Literal["rf", "ogm", "number"]

_NON_ALNUM = re.compile(r"[^0-9A-Za-z]+")
_ASCII_NON_ALNUM = dict.fromkeys(c for c in range(128) if not chr(c).isalnum())
# The patterns below run on the upper-cased text.
# ISO 11649 as printed: "RF18 DE20 2600 0000 12", "rf18de2026000000012". The groups after the
# check digits run on while they are separated by single spaces; where the reference ends is
# decided at a group boundary, by the lookup and the check digits.
_RF = re.compile(r"(?<![0-9A-Z])RF ?[0-9]{2}[0-9A-Z]*(?: [0-9A-Z]+)*")
_RF_MAX = 25  # "RF" + 2 check digits + at most 21 characters
# Belgian structured communication as banks print it: "+++090/9337/55493+++", "***…***",
# "090/9337/55493", "090 9337 55493", "090933755493".
# Not inside a longer word: "RF18DE202600000012" holds 12 digits that are no communication.
_OGM = re.compile(
    r"(?<![0-9A-Z])(?:[+*]{3} ?)?([0-9]{3})[ /.-]{0,3}([0-9]{4})[ /.-]{0,3}([0-9]{5})"
    r"(?: ?[+*]{3})?(?![0-9A-Z])"
)
_SEP = r"[ ._/-]{0,3}"
_JURISDICTIONS = "|".join(get_args(Jurisdiction))
# "DE-2026-000012", "DE 2026 12", "DE2026000012"; a "CN" before it makes it a credit note.
_NUMBER_BODY = rf"(?:(CN){_SEP})?({_JURISDICTIONS}){_SEP}(20[0-9]{{2}}){_SEP}([0-9]{{1,9}})"
_NUMBER = re.compile(rf"(?<![0-9A-Z]){_NUMBER_BODY}(?![0-9])")
_NUMBER_EXACT = re.compile(rf"\s*{_NUMBER_BODY}\s*")
# No invoice number without its series' letters: most texts need no scan for one.
_NUMBER_HINT = re.compile(_JURISDICTIONS)
# How db.invoice_numbers.format_invoice_number writes them: the key itself.
_NUMBER_CANONICAL = re.compile(
    rf"(?:{_JURISDICTIONS})-20[0-9]{{2}}-(?:[0-9]{{6}}|[1-9][0-9]{{6,8}})"
)


class Found(NamedTuple):
    """A reference or invoice number found in a text: where, what, its lookup key, and how it
    was printed (upper-cased)."""

    start: int
    kind: FoundKind
    key: str
    printed: str


def reference_key(reference: str) -> str:
    """The lookup key of a creditor reference: its letters and digits, upper case."""
    if reference.isascii():
        if reference.isalnum():
            return reference.upper()
        return reference.translate(_ASCII_NON_ALNUM).upper()
    return _NON_ALNUM.sub("", reference).upper()


def invoice_number_key(number: str) -> str | None:
    """The lookup key of an invoice number, as ``format_invoice_number`` writes it:
    ``"de 2026 12"`` → ``"DE-2026-000012"``; None when it is not an invoice number."""
    if _NUMBER_CANONICAL.fullmatch(number):
        return number
    m = _NUMBER_EXACT.fullmatch(number.upper())
    if m is None or m.group(1):
        return None
    return _number_key(m)


def _number_key(m: re.Match[str]) -> str:
    jurisdiction, year, sequence = m.group(2, 3, 4)
    return f"{jurisdiction}-{year}-{int(sequence):06d}"


def _rf(printed: str, known: Container[str]) -> tuple[str, str] | None:
    """The ISO 11649 reference that ``printed`` starts with and how it is printed: of the
    group boundaries with valid check digits, the last one that is ``known``, else the last."""
    ends: list[tuple[str, int]] = []
    compact, end = "", 0
    for group in printed.split(" "):
        compact += group
        end += len(group)
        if len(compact) > _RF_MAX:
            break
        if len(compact) >= 5:
            ends.append((compact, end))
        end += 1
    ends.reverse()
    for compact, end in ends:
        if compact in known and rf_check_digits_hold(compact):
            return compact, printed[:end]
    for compact, end in ends:
        if rf_check_digits_hold(compact):
            return compact, printed[:end]
    return None


def find_references(text: str, known: Container[str] = frozenset()) -> list[Found]:
    """Creditor references with valid check digits, and invoice numbers, in ``text`` in the
    order written. ``known`` (our references' keys) decides where an RF printed in groups ends
    when several group boundaries have valid check digits."""
    found: list[Found] = []
    if not text:
        return found
    upper = text.upper()
    if "RF" in upper:
        for m in _RF.finditer(upper):
            rf = _rf(m.group(), known)
            if rf is not None:
                found.append(Found(m.start(), "rf", rf[0], rf[1]))
    for m in _OGM.finditer(upper):
        digits = m.group(1) + m.group(2) + m.group(3)
        if ogm_check_digits_hold(digits):
            found.append(Found(m.start(), "ogm", digits, m.group().strip()))
    if _NUMBER_HINT.search(upper):
        for m in _NUMBER.finditer(upper):
            if not m.group(1):
                found.append(Found(m.start(), "number", _number_key(m), m.group()))
    if len(found) > 1:
        found.sort()
    return found


# Legal forms, titles and joining words that say nothing about who the payer is.
_NOISE = frozenset(
    """gmbh mbh ag kg kgaa ohg ug gbr ev eg se co haftungsbeschrankt
    sa nv bv bvba srl sprl scrl scs sca sc cv cvba commv vof asbl vzw
    sas sasu sarl eurl snc ltd llc inc plc limited corp
    herr frau dr prof mr mrs ms mme mlle""".split()
)
_TRANSLIT = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d"})
_DROP = re.compile(r"[.'’`]")  # "S.A." → "sa", "O'Neil" → "oneil"
_TOKEN = re.compile(r"[0-9a-z]{2,}")  # one-letter tokens say nothing either
# SEPA's character set makes banks write "Müller" as "Mueller" or "Muller": after accents are
# gone, ae/oe/ue become a/o/u on both sides of every comparison.
_UMLAUT_SPELLING = re.compile(r"(?<=[aou])e")


def name_tokens(name: str) -> tuple[str, ...]:
    """A name reduced to comparable tokens: lower case, no accents, no legal form or title,
    no one-letter tokens. ``"Müller Bau GmbH & Co. KG"`` → ``("muller", "bau")``."""
    text = name.lower()
    if not text.isascii():  # ASCII goes through the next two lines unchanged
        text = unicodedata.normalize("NFKD", text.translate(_TRANSLIT))
        text = text.encode("ascii", "ignore").decode("ascii")
    return tuple(
        _UMLAUT_SPELLING.sub("", token) if "e" in token else token
        for token in _TOKEN.findall(_DROP.sub("", text))
        if token not in _NOISE
    )


def comparable(tokens: tuple[str, ...]) -> str:
    """Tokens sorted and joined: the form two names are compared in (word order ignored)."""
    return " ".join(sorted(tokens))


class Similarity:
    """Percent similarity of ``comparable`` names to one name: difflib's ratio, 2 x matching
    characters / both lengths, in integers. The one name is analysed once; ``at_most`` bounds
    the similarity of another name cheaply (the lengths, then the characters both have), so
    that only names whose bound reaches a floor need ``to``."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._chars = tuple(set(name))
        self._counts = tuple(map(name.count, self._chars))
        self._matcher: SequenceMatcher[str] | None = None  # made when a name gets this far

    def at_most(self, other: str, floor: int = 0) -> int:
        """At least ``to(other)``: no more characters can match than both names have. 0 when
        their lengths alone keep it below ``floor``."""
        total = len(other) + len(self._name)
        if not other or not self._name or 200 * min(len(other), len(self._name)) < floor * total:
            return 0
        return (200 * sum(map(min, self._counts, map(other.count, self._chars)))) // total

    def to(self, other: str) -> int:
        """The similarity of ``other``."""
        if not other or not self._name:
            return 0
        matcher = self._matcher
        if matcher is None:
            matcher = self._matcher = SequenceMatcher(None, "", self._name, autojunk=False)
        matcher.set_seq1(other)
        same = sum(block.size for block in matcher.get_matching_blocks())
        return (200 * same) // (len(other) + len(self._name))


def similarity(a: str, b: str) -> int:
    """Percent similarity of two ``comparable`` names."""
    return Similarity(b).to(a)


class NameTokens:
    """``name_tokens`` keeping each word's tokens: a name's tokens are those of its words
    (split at spaces) one after the other, and names share most of their words."""

    def __init__(self) -> None:
        self._words: dict[str, tuple[str, ...]] = {}

    def __call__(self, name: str) -> tuple[str, ...]:
        tokens: tuple[str, ...] = ()
        words = self._words
        for word in name.split(" "):
            found = words.get(word)
            if found is None:
                found = words[word] = name_tokens(word)
            tokens += found
        return tokens
