"""A sentence the next one retracts: a correction notice restates what it corrects before it corrects it
("The member handbook says that visitor parking is in the two marked spaces in the front lot on Alder
Street. That is no longer correct. From October 1, 2025, the two visitor spaces are in the rear lot").
A new user's "where do visitors park" was answered with the rule retracted, "Alder Street" marked, the
rule that holds third. A retracted sentence says what no longer holds: never the answer (``answering``
keeps it ANOTHER_CODE less, as a sentence about another thing), and nor is the same claim where another
file makes it (``Retracted.says_again``): with the notice's sentence dropped, the member handbook's own
"Visitor parking is in the two marked spaces in the front lot on Alder Street." was quoted first."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..models import Passage
from ..store.lexical import tokenize

# A sentence saying, whole or before a stop, that the one before it no longer holds ("That is no longer
# correct.", "That's no longer correct; visitors now park ...", "This was an error.", "That information
# is out of date."); not one going on to say more ("It was withdrawn from the market in 2004.", "This is
# an error that occurs when ...", "It is wrong to park on the grass.").
_RETRACTS = re.compile(
    r"\s*(?:but\s+)?(?:(?:that|this|it)(?:\s+(?:information|rule|date|time|statement))?\s+(?:is|was|has\s+been)|that's|it's)\s+"
    r"(?:no\s+longer\s+(?:correct|true|accurate|valid|right|the\s+case|in\s+effect)|not\s+correct|incorrect|wrong|"
    r"(?:an?\s+)?(?:error|mistake)|out\s+of\s+date|outdated|superseded)\s*(?:[.!]|[;,:—–]\s*\S.*)?\s*",
    re.I | re.S,
)


def retracted(passage: Passage, index: int) -> bool:
    """Whether sentence ``index`` of the passage is one the sentence after it retracts (``_RETRACTS``)."""
    after = index + 1
    return after < len(passage.sentences) and _RETRACTS.fullmatch(passage.sentences[after].text) is not None


# How much of a sentence's terms a retracted sentence must hold for it to make the same claim, and the
# fewest terms it must have (a short line says too little to be the claim: "Visitors may park.").
SAME_CLAIM = 0.8
CLAIM_TERMS_FEWEST = 4


@dataclass(frozen=True)
class Retracted:
    """Each sentence the candidate passages retract (``retracted``): its file and its terms."""

    claims: tuple[tuple[str, frozenset[str]], ...] = ()

    @classmethod
    def among(cls, passages) -> "Retracted":
        return cls(tuple(
            (p.source, frozenset(tokenize(p.sentences[j].text)))
            for p in passages for j in range(len(p.sentences)) if retracted(p, j)
        ))

    def says_again(self, text: str, source: str) -> bool:
        """Whether ``text``, of another file than the retraction's, makes a claim retracted: SAME_CLAIM of
        its terms, CLAIM_TERMS_FEWEST at least, stand in a retracted sentence, every number of that
        sentence among them ("The member handbook says that visitor parking is in ... Alder Street."
        holds every term of the handbook's own line; "The AGM is at 7 pm in the community room." does
        not make the retracted "The AGM is on 12 May at 7 pm in the community room.", whose date it
        lacks; the notice's own new rule is no claim it retracts)."""
        if not self.claims:
            return False
        terms = set(tokenize(text))
        return len(terms) >= CLAIM_TERMS_FEWEST and any(
            where != source and len(terms & claim) >= SAME_CLAIM * len(terms) and {t for t in claim if t[:1].isdigit()} <= terms
            for where, claim in self.claims
        )
