"""Error pages: JSON under /api/, so that API clients never have to parse HTML."""

from django.http import JsonResponse
from django.views import defaults


def _api(request):
    return request.path.startswith("/api/")


def page_not_found(request, exception):
    if _api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _api(request):
        return JsonResponse({"detail": "Server error."}, status=500)
    return defaults.server_error(request)
