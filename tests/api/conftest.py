"""The local news site and archiving settings of tests/sources, for the API's capture tests."""

from tests.sources.conftest import archiving, news_site  # noqa: F401 (fixtures)
