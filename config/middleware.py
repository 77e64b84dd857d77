import time

from django.conf import settings
from django.utils.cache import patch_cache_control, patch_vary_headers

from .routers import pin_to_primary, unpin

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class ReadYourWritesMiddleware:
    """A client that writes reads from the primary for the next REPLICA_PIN_SECONDS.

    Replicas lag the primary by a little; without this, a researcher who saves a claim
    could be shown the page without it. A write request and everything it reads run
    on the primary; its response sets a short-lived cookie that pins the same client's
    following requests there too. Does nothing without replicas.
    """

    COOKIE = "read_primary_until"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.DATABASE_REPLICAS:
            return self.get_response(request)
        writing = request.method not in SAFE_METHODS
        token = pin_to_primary(writing or self._recently_wrote(request))
        try:
            response = self.get_response(request)
        finally:
            unpin(token)
        if writing:
            seconds = settings.REPLICA_PIN_SECONDS
            response.set_cookie(
                self.COOKIE,
                str(int(time.time()) + seconds),
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response

    def _recently_wrote(self, request):
        try:
            return int(request.COOKIES.get(self.COOKIE, "0")) > time.time()
        except ValueError:
            return False


class PublicCacheMiddleware:
    """Cache-Control for pages: shared caching for anonymous readers, none for the signed in.

    An anonymous GET answered 200 or 304 without setting a cookie may be kept by
    browsers and CDNs for PUBLIC_CACHE_SECONDS (and varies on Cookie, so a signed-in
    person's cookie never matches it). Anything answered to a signed-in person, or to
    a request carrying credentials, is private and not stored: staff see drafts and
    protected sources. Responses that set their own Cache-Control keep it, except that
    signed-in responses are always made private.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return response
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META:
            patch_cache_control(response, private=True, no_store=True)
            response.headers.pop("Expires", None)
            return response
        if (
            response.status_code in (200, 304)
            and not response.has_header("Cache-Control")
            and not response.cookies
        ):
            patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_SECONDS)
            patch_vary_headers(response, ["Cookie"])
        return response
