from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed, Throttled

from .models import ApiToken


class ApiTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, checked against the stored hash of the key.

    Failed attempts (wrong, revoked or malformed keys) are counted per client address;
    past settings.API_TOKEN_FAILURE_LIMIT within settings.API_TOKEN_FAILURE_WINDOW, that
    address gets 429 for any token, right or wrong, so guessing keys cannot go on.
    """

    keyword = "Token"

    @staticmethod
    def failure_key(request):
        return f"api-token-failures:{get_client_ip_address(request) or 'unknown'}"

    def authenticate(self, request):
        key = self.failure_key(request)
        if not self.has_token_header(request):
            return None
        if cache.get(key, 0) >= settings.API_TOKEN_FAILURE_LIMIT:
            raise Throttled(
                wait=settings.API_TOKEN_FAILURE_WINDOW,
                detail="Too many failed token attempts from this address. Try again later.",
            )
        try:
            try:
                return super().authenticate(request)
            except UnicodeError:
                # A header that is not ISO-8859-1 (possible outside WSGI's decoding).
                raise AuthenticationFailed("Invalid token header.") from None
        except AuthenticationFailed:
            # add() then incr(): the window starts at the first failure and is not extended.
            if not cache.add(key, 1, settings.API_TOKEN_FAILURE_WINDOW):
                try:
                    cache.incr(key)
                except ValueError:
                    cache.set(key, 1, settings.API_TOKEN_FAILURE_WINDOW)
            raise

    def has_token_header(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if isinstance(header, str):
            header = header.encode("iso-8859-1", errors="replace")
        parts = header.split()
        return bool(parts) and parts[0].lower() == self.keyword.lower().encode()

    def authenticate_credentials(self, key):
        token = (
            ApiToken.objects.active()
            .select_related("user")
            .filter(key_hash=ApiToken.hash_key(key))
            .first()
        )
        if token is None or not token.user.is_active:
            raise AuthenticationFailed("Invalid or revoked token.")
        token.mark_used()
        return (token.user, token)


def axes_username(request, credentials):
    """The username the sign-in lockout counts, cut to what its log can store (255
    characters), so an over-long name is counted rather than failing the request."""
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        username = request.POST.get("username")
    return username[:255] if isinstance(username, str) else username


class VerifiedSessionAuthentication(SessionAuthentication):
    """The admin's session, in the browsable API, only once it has passed the admin's
    one-time code: a password alone must not open drafts or protected sources here
    either."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user = getattr(request._request, "user", None)
        check = getattr(user, "is_verified", None)
        if not (check and check()):
            return None
        return result
