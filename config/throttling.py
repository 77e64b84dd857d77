"""API rate limits: one rate for anonymous clients (per address), one for token users."""

from rest_framework.throttling import UserRateThrottle


class TokenUserRateThrottle(UserRateThrottle):
    """``API_USER_RATE`` for signed-in clients only.

    DRF's UserRateThrottle also counts anonymous requests, by address, at the user rate;
    anonymous clients have AnonRateThrottle and ``API_ANON_RATE`` of their own.
    """

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)
