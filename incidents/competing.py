"""The competing-claims computations: reported ranges and the dispute status.

They work on claims and denials already loaded by ``Incident.objects.with_claims()``
and issue no queries of their own.
"""

from dataclasses import dataclass, field


@dataclass
class FigureRow:
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


def casualty_ranges(claims):
    """Ranges per category slug, in category order, from the current claims' figures.

    A claim superseded by another claim in ``claims`` does not count.
    """
    ranges = {}
    for claim in current_claims(claims):
        for figure in claim.figures.all():
            r = ranges.get(figure.category_id)
            if r is None:
                r = ranges[figure.category_id] = Range(category=figure.category)
            r.source_ids.add(claim.source_id)
            r.rows.append(FigureRow(claim, figure))
            low, high = figure.low, figure.high
            if low is not None and (r.min is None or low < r.min):
                r.min = low
            if high is not None and (r.max is None or high > r.max):
                r.max = high
                r.open_ended = figure.max_count is None
            elif high is not None and high == r.max and figure.max_count is not None:
                # An exact figure at the same height closes the range.
                r.open_ended = False
    return dict(sorted(ranges.items(), key=lambda item: (item[1].category.position, item[0])))


def _family(source):
    """The source and its two parent levels, as loaded by with_claims()."""
    ids = [source.pk]
    parent = source.parent if source.parent_id else None
    if parent is not None:
        ids.append(parent.pk)
        if parent.parent_id:
            ids.append(parent.parent_id)
    return ids


def _same_organisation(a, b):
    """True when one source is the other or one of its two parent levels.

    A ministry denying for its air force, or a spokesman for his ministry, speaks
    for the accused. incidents.search.contested_q() applies the same rule in SQL.
    """
    return a.pk in _family(b) or b.pk in _family(a)


def _tolls_differ(rng, factor=2):
    """True when two different sources' figures differ by more than ``factor``."""
    per_source = {}
    for row in rng.rows:
        low, high = row.figure.low, row.figure.high
        if low is None:
            continue
        lo, hi = per_source.get(row.claim.source_id, (low, high))
        per_source[row.claim.source_id] = (min(lo, low), max(hi, high))
    items = list(per_source.items())
    for source_a, (low_a, _) in items:
        for source_b, (_, high_b) in items:
            if source_a != source_b and high_b > factor * low_a:
                return True
    return False


def dispute(claims, denials, reveal_protected=False):
    """The reasons, in plain words, why accounts of an incident conflict (none: not contested)."""

    def name(source):
        return source.name if reveal_protected else source.public_name

    reasons = []
    # Only current claims count: a figure or an accusation since revised is history.
    claims = current_claims(claims)
    by_id = {claim.pk: claim for claim in claims}
    for denial in denials:
        for target in denial.denies.all():
            claim = by_id.get(target.pk)
            if claim is None:
                continue
            if claim.kind == "attribution":
                accused = claim.attributed_to
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
                    f"{claim.get_kind_display()} claim by {name(claim.source)} denied by "
                    f"{name(denial.source)}"
                )

    accused = {}
    for claim in claims:
        if claim.kind == "attribution":
            accused.setdefault(claim.attributed_to_id, claim.attributed_to)
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

    for rng in casualty_ranges(claims).values():
        if _tolls_differ(rng):
            label = rng.category.name.lower()
            reasons.append(
                f"Tolls for {label} differ by more than 2x between sources: "
                f"{rng.min} to {rng.max}{'+' if rng.open_ended else ''}"
            )
    return Dispute(reasons)
