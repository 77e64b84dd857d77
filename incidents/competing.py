"""The competing-claims computations: reported ranges and the dispute status.

The rules are written once, over plain facts (``ClaimFacts``, ``DenialFacts``), so
that model instances loaded by ``Incident.objects.with_claims()`` and the plain rows
of the API's read path (incidents.api_read) give the same answers. They issue no
queries of their own.
"""

from dataclasses import dataclass, field
from typing import NamedTuple


class Category(NamedTuple):
    """A casualty category as the rules need it (a CasualtyCategory instance also fits)."""

    slug: str
    name: str
    position: int


@dataclass(frozen=True, slots=True)
class Party:
    """A source as the rules see it: who it is, and the organisation it belongs to."""

    id: int
    name: str
    public_name: str
    family: tuple  # its own id and the ids of its two parent levels


@dataclass(slots=True)
class FigureFacts:
    category_id: str
    category: object  # has .name and .position
    min: int | None
    max: int | None
    origin: object = None  # the Figure (or row) shown next to the range

    @property
    def low(self):
        return self.min if self.min is not None else self.max

    @property
    def high(self):
        return self.max if self.max is not None else self.min


@dataclass(slots=True)
class ClaimFacts:
    id: int
    kind: str
    kind_label: str
    source: Party
    accused: Party | None
    figures: list
    origin: object = None  # the Claim (or row) shown next to the range


@dataclass(slots=True)
class DenialFacts:
    source: Party
    denies: list  # ids of the claims it answers


class FigureRow(NamedTuple):
    claim: object
    figure: object


@dataclass
class Range:
    """What sources report for one casualty category.

    ``min`` is the lowest low end of any figure, ``max`` the highest high end, where a
    figure's low end is its min (or its max when it has none) and its high end its max
    (or its min when it has none). ``open_ended`` is true when the figure that gives
    the highest end has no max (“at least 300”).
    """

    category: object
    min: int | None = None
    max: int | None = None
    open_ended: bool = False
    source_ids: set = field(default_factory=set)
    rows: list = field(default_factory=list)
    # (source id, low end, high end) of each figure, for the tolls rule.
    points: list = field(default_factory=list, repr=False)

    @property
    def sources(self):
        return len(self.source_ids)

    def as_dict(self):
        return {
            "min": self.min,
            "max": self.max,
            "sources": self.sources,
            "open_ended": self.open_ended,
        }


@dataclass
class Dispute:
    reasons: list

    @property
    def contested(self):
        return bool(self.reasons)

    def as_dict(self):
        return {"contested": self.contested, "reasons": self.reasons}


@dataclass
class ClaimChain:
    """One source's claim and its revisions, oldest first; the last one is current."""

    claims: list

    @property
    def source(self):
        return self.claims[-1].source

    @property
    def current(self):
        return self.claims[-1]

    @property
    def earlier(self):
        return self.claims[:-1]

    @property
    def revised(self):
        return len(self.claims) > 1

    def timeline(self, category):
        """(date, figure) for each claim in the chain giving a figure in ``category`` (a slug)."""
        entries = []
        for claim in self.claims:
            for figure in claim.figures.all():
                if figure.category_id == category:
                    entries.append((claim.claimed_on, figure))
        return entries

    def timeline_text(self, category):
        """The figures in words with their dates.

        e.g. “at least 23 people on 31 May 2016, at least 30 people on 1 June 2016”.
        """
        return ", ".join(
            f"{figure.as_said} on {_day(date)}" if date else f"{figure.as_said} (undated)"
            for date, figure in self.timeline(category)
        )


def _day(date):
    return f"{date.day} {date:%B %Y}"


def claim_chains(claims):
    """Group claims into chains of revisions, per source in order of each source's first claim."""
    claims = list(claims)
    by_id = {claim.pk: claim for claim in claims}
    revised_by = {claim.supersedes_id: claim for claim in claims if claim.supersedes_id in by_id}
    chains = {}
    for claim in claims:
        if claim.supersedes_id in by_id:
            continue  # a revision: it belongs to the chain of the claim it supersedes
        chain, seen = [claim], {claim.pk}
        while (following := revised_by.get(chain[-1].pk)) is not None and following.pk not in seen:
            chain.append(following)
            seen.add(following.pk)
        chains.setdefault(claim.source, []).append(ClaimChain(chain))
    return chains


def current_claims(claims):
    """The claims that no other claim in the list supersedes: each source's latest word.

    A claim and its revisions are always about the same incident, so an incident's
    claims are enough to tell. Records on each claim which claim revises it.
    """
    claims = list(claims)
    revised_by = {claim.supersedes_id: claim.pk for claim in claims if claim.supersedes_id}
    for claim in claims:
        claim.superseded_by_id = revised_by.get(claim.pk)
    return [claim for claim in claims if claim.pk not in revised_by]


def ranges_from_facts(claims):
    """Ranges per category slug, in category order, from the claims' figures."""
    ranges = {}
    for claim in claims:
        figures = claim.figures
        if not figures:
            continue
        source_id = claim.source.id
        origin = claim.origin
        for figure in figures:
            r = ranges.get(figure.category_id)
            if r is None:
                r = ranges[figure.category_id] = Range(category=figure.category)
            r.source_ids.add(source_id)
            r.rows.append(FigureRow(origin, figure.origin))
            # The figure's low and high ends (FigureFacts.low and .high).
            low = high = figure.min
            top = figure.max
            if top is not None:
                high = top
                if low is None:
                    low = top
            r.points.append((source_id, low, high))
            if low is not None and (r.min is None or low < r.min):
                r.min = low
            if high is not None and (r.max is None or high > r.max):
                r.max = high
                r.open_ended = top is None
            elif high is not None and high == r.max and top is not None:
                # An exact figure at the same height closes the range.
                r.open_ended = False
    if len(ranges) < 2:
        return ranges
    return dict(sorted(ranges.items(), key=lambda item: (item[1].category.position, item[0])))


def _same_organisation(a, b):
    """True when one party is the other or one of its two parent levels.

    A ministry denying for its air force, or a spokesman for his ministry, speaks
    for the accused. incidents.search.CONTESTED_SQL applies the same rule in SQL.
    """
    return a.id in b.family or b.id in a.family


def _tolls_differ(rng, factor=2):
    """True when two different sources' figures differ by more than ``factor``."""
    if len(rng.source_ids) < 2:
        return False  # no two sources to compare
    per_source = {}
    for source_id, low, high in rng.points:
        if low is None:
            continue
        lo, hi = per_source.get(source_id, (low, high))
        per_source[source_id] = (min(lo, low), max(hi, high))
    items = list(per_source.items())
    for source_a, (low_a, _) in items:
        for source_b, (_, high_b) in items:
            if source_a != source_b and high_b > factor * low_a:
                return True
    return False


def dispute_from_facts(claims, denials, reveal_protected=False, ranges=None):
    """The reasons, in plain words, why accounts of an incident conflict (none: not contested).

    ``ranges`` may pass in ranges_from_facts(claims) when the caller has them already.
    """

    def name(party):
        return party.name if reveal_protected else party.public_name

    reasons = []
    claims = list(claims)
    by_id = {claim.id: claim for claim in claims}
    for denial in denials:
        for target in denial.denies:
            claim = by_id.get(target)
            if claim is None:
                continue
            if claim.kind == "attribution":
                accused = claim.accused
                who = (
                    "the accused, " + name(denial.source)
                    if _same_organisation(denial.source, accused)
                    else name(denial.source)
                )
                reasons.append(
                    f"Attribution to {name(accused)} by {name(claim.source)} denied by {who}"
                )
            else:
                reasons.append(
                    f"{claim.kind_label} claim by {name(claim.source)} denied by "
                    f"{name(denial.source)}"
                )

    accused = {}
    for claim in claims:
        if claim.kind == "attribution" and claim.accused is not None:
            accused.setdefault(claim.accused.id, claim.accused)
    if len(accused) > 1:
        parties = list(accused.values())
        distinct = [
            a
            for i, a in enumerate(parties)
            if not any(_same_organisation(a, b) for b in parties[:i])
        ]
        if len(distinct) > 1:
            reasons.append(
                "Attributions name different parties: " + ", ".join(name(a) for a in distinct)
            )

    if ranges is None:
        ranges = ranges_from_facts(claims)
    for rng in ranges.values():
        if _tolls_differ(rng):
            label = rng.category.name.lower()
            reasons.append(
                f"Tolls for {label} differ by more than 2x between sources: "
                f"{rng.min} to {rng.max}{'+' if rng.open_ended else ''}"
            )
    return Dispute(reasons)


# Model instances, as loaded by Incident.objects.with_claims().


def _family(source):
    """The source and its two parent levels, as loaded by with_claims()."""
    ids = [source.pk]
    parent = source.parent if source.parent_id else None
    if parent is not None:
        ids.append(parent.pk)
        if parent.parent_id:
            ids.append(parent.parent_id)
    return tuple(ids)


def party(source):
    return Party(source.pk, source.name, source.public_name, _family(source))


def claim_facts(claim):
    return ClaimFacts(
        id=claim.pk,
        kind=claim.kind,
        kind_label=claim.get_kind_display(),
        source=party(claim.source),
        accused=party(claim.attributed_to) if claim.attributed_to_id else None,
        figures=[
            FigureFacts(f.category_id, f.category, f.min_count, f.max_count, origin=f)
            for f in claim.figures.all()
        ],
        origin=claim,
    )


def denial_facts(denial):
    return DenialFacts(party(denial.source), [claim.pk for claim in denial.denies.all()])


def casualty_ranges(claims):
    """Ranges per category slug, in category order, from model claims and their figures.

    Only current claims count: one superseded by another claim in ``claims`` does not.
    """
    return ranges_from_facts([claim_facts(claim) for claim in current_claims(claims)])


def dispute(claims, denials, reveal_protected=False):
    """The dispute status of model claims and denials (see dispute_from_facts).

    Only current claims count: a figure or an accusation since revised is history.
    """
    return dispute_from_facts(
        [claim_facts(claim) for claim in current_claims(claims)],
        [denial_facts(denial) for denial in denials],
        reveal_protected=reveal_protected,
    )
