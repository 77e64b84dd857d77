"""Full-text search and the SQL form of the dispute rules.

Each search expression here is also the expression of a GIN index declared on its
model, so PostgreSQL can use the index: change one and the other together.
"""

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce

from sources.search import SEARCH_CONFIG, name_vector


def incident_vector():
    return SearchVector("title", "summary", config=SEARCH_CONFIG)


def statement_vector():
    return SearchVector("statement", config=SEARCH_CONFIG)


def search_query(text):
    return SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)


def text_search_q(text, include_protected=False):
    """Incidents whose title, summary, claims' or denials' statements, or sources' names match.

    A protected source's name is searched only for staff, so the public cannot find
    out which incidents a protected source spoke about by guessing its name.
    """
    from sources.models import Source

    from .models import Claim, Denial, Incident

    query = search_query(text)
    own = Incident.objects.annotate(v=incident_vector()).filter(pk=OuterRef("pk"), v=query)
    # Withdrawn claims and denials no longer count, in search as everywhere.
    claims = (
        Claim.objects.not_withdrawn()
        .annotate(v=statement_vector())
        .filter(incident=OuterRef("pk"), v=query)
    )
    denials = (
        Denial.objects.current()
        .annotate(v=statement_vector())
        .filter(incident=OuterRef("pk"), v=query)
    )
    sources = Source.objects.annotate(v=name_vector()).filter(v=query)
    if not include_protected:
        sources = sources.filter(protected=False)
    named = Q(
        Exists(
            Claim.objects.not_withdrawn().filter(
                incident=OuterRef("pk"), source__in=sources.values("pk")
            )
        )
    ) | Q(
        Exists(
            Denial.objects.current().filter(
                incident=OuterRef("pk"), source__in=sources.values("pk")
            )
        )
    )
    return Q(Exists(own)) | Q(Exists(claims)) | Q(Exists(denials)) | named


def revised(claim="pk"):
    """True for a claim that a later claim of its source supersedes: it is no longer current.

    ``claim`` names the outer query's column holding the claim's id.
    """
    from .models import Claim

    # A withdrawn revision revises nothing: the claim it superseded counts again.
    return Exists(Claim.objects.filter(supersedes=OuterRef(claim), withdrawn_at__isnull=True))


def _low(prefix=""):
    return Coalesce(f"{prefix}min_count", f"{prefix}max_count")


def _high(prefix=""):
    return Coalesce(f"{prefix}max_count", f"{prefix}min_count")


def contested_q():
    """The SQL twin of incidents.competing.dispute(): true when it would give any reason.

    Only current claims count (a claim some later claim supersedes is history):

    - a denial answers one of the incident's claims;
    - two attributions name parties neither of which is the other or one of the other's
      two parent levels (dispute() compares the same way);
    - two sources' figures for one category differ by more than 2x.

    Withdrawn claims and denials are left out, as dispute() leaves them out.

    Each condition starts from the outer incident's id (``incident_id = outer.id``, an
    index lookup), and each compares rows with the same incident by that outer id again,
    from inside a nested subquery. That nested reference is what keeps the plan cheap:
    PostgreSQL can only turn an ORed EXISTS into a hashed subplan (which computes the
    subquery for every incident at once, here a scan of every claim before the first
    row) when the outer row is referenced by a plain equality and nowhere else. So the
    plan walks the incidents in the requested order and checks each with a few index
    lookups, stopping at the page's end (tests/perf/test_query_plans.py).
    """
    from .models import Claim, Denial, Figure

    incident = OuterRef(OuterRef("pk"))

    # A denial answers a current claim of this incident (dispute() looks the denied
    # claims up among the incident's own claims).
    answered = Denial.denies.through.objects.filter(
        denial=OuterRef("pk"), claim__incident=incident, claim__withdrawn_at__isnull=True
    ).filter(~revised("claim_id"))
    denied = Denial.objects.filter(incident=OuterRef("pk"), withdrawn_at__isnull=True).filter(
        Exists(answered)
    )

    def with_family(claims):
        # The accused party and its two parent levels; 0 stands for "none".
        return (
            claims.filter(kind="attribution")
            .filter(~revised())
            .annotate(
                p0=F("attributed_to_id"),
                p1=Coalesce("attributed_to__parent_id", 0),
                p2=Coalesce("attributed_to__parent__parent_id", 0),
            )
        )

    other_party = (
        with_family(Claim.objects.not_withdrawn().filter(incident=incident))
        .exclude(p0=OuterRef("p0"))
        .exclude(p1=OuterRef("p0"))
        .exclude(p2=OuterRef("p0"))
        .exclude(p0=OuterRef("p1"))
        .exclude(p0=OuterRef("p2"))
    )
    differing_attributions = with_family(
        Claim.objects.not_withdrawn().filter(incident=OuterRef("pk"))
    ).filter(Exists(other_party))

    higher = (
        Figure.objects.filter(
            claim__incident=incident,
            claim__withdrawn_at__isnull=True,
            category=OuterRef("category"),
        )
        .exclude(claim__source=OuterRef("claim__source"))
        .filter(~revised("claim_id"))
    )
    higher = higher.alias(high=_high()).filter(high__gt=2 * OuterRef("low"))
    differing_tolls = (
        Figure.objects.filter(claim__incident=OuterRef("pk"), claim__withdrawn_at__isnull=True)
        .filter(~revised("claim_id"))
        .alias(low=_low())
        .filter(low__isnull=False)
        .filter(Exists(higher))
    )
    return Q(Exists(denied)) | Q(Exists(differing_attributions)) | Q(Exists(differing_tolls))
