"""Full-text search settings shared by every searched model."""

from django.contrib.postgres.search import SearchVector

SEARCH_CONFIG = "english"


def name_vector():
    """Searched by incidents.search and indexed on Source: keep the two identical."""
    return SearchVector("name", config=SEARCH_CONFIG)
