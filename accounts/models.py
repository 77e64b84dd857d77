import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A key to the REST API for a partner tool, acting as its user.

    Only the key's SHA-256 hash is stored: the key itself is shown once, when the
    token is created, and cannot be recovered. A plain hash suffices (no slow
    password hash) because keys are long random strings, not guessable passwords.
    """

    PREFIX_LENGTH = 8
    # last_used_at is written at most this often, not on every request.
    USE_RESOLUTION = timedelta(minutes=5)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text="The token acts as this user, with this user's permissions.",
    )
    name = models.CharField(
        max_length=100, help_text="What the token is for, e.g. “Newsroom dashboard”."
    )
    key_prefix = models.CharField(
        max_length=PREFIX_LENGTH,
        editable=False,
        help_text="The first characters of the key, to recognise it.",
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"
        constraints = [
            models.CheckConstraint(
                condition=Q(key_hash__regex=r"^[0-9a-f]{64}$"),
                name="apitoken_hash_format",
                violation_error_message="The key hash must be 64 lowercase hexadecimal characters.",
            ),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="apitoken_name_not_empty",
                violation_error_message="Name the token after what it is for.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.key_prefix}…)"

    @staticmethod
    def hash_key(key):
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name):
        """Create a token; return it and its key, which is not stored anywhere."""
        token = cls(user=user, name=name)
        key = token.set_new_key()
        token.save()
        return token, key

    @property
    def is_active(self):
        return self.revoked_at is None

    def set_new_key(self):
        key = secrets.token_urlsafe(32)
        self.key_prefix = key[: self.PREFIX_LENGTH]
        self.key_hash = self.hash_key(key)
        return key

    def mark_used(self):
        now = timezone.now()
        if self.last_used_at is None or now - self.last_used_at > self.USE_RESOLUTION:
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now
