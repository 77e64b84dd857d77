import pghistory.middleware


class HistoryMiddleware(pghistory.middleware.HistoryMiddleware):
    """Attach who made a change (id and username) and through which address to its events.

    The username is kept beside the id so the record still names the person if the
    account is later renamed or removed.
    """

    def get_context(self, request):
        context = super().get_context(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            context["username"] = user.get_username()
        return context
