"""How the API's authentication appears in the OpenAPI schema."""

from drf_spectacular.authentication import SessionScheme


class VerifiedSessionScheme(SessionScheme):
    """The admin's session, once past its one-time code: a cookie, as any session."""

    target_class = "accounts.authentication.VerifiedSessionAuthentication"
