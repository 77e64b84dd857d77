import secrets

import pghistory
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.admin_site import current_code
from incidents.seed import load_seed


class Command(BaseCommand):
    help = (
        "Prepare the database, load the canonical Idlib case, create a local admin login "
        "and serve the site at http://127.0.0.1:8000/."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-serve", action="store_true", help="Load the demo data without serving."
        )
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def handle(self, *args, no_serve=False, addrport="127.0.0.1:8000", **options):
        call_command("migrate", interactive=False, verbosity=0)
        with pghistory.context(reason="Demo data: the canonical Idlib case"):
            incident = load_seed()
        password = secrets.token_urlsafe(12)
        user, _created = get_user_model().objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True}
        )
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        # The admin asks for a one-time code after the password (README: "Security and
        # data safety"); the demo admin's authenticator is made here, so a first look works.
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Demo authenticator")
        self.stdout.write(
            self.style.SUCCESS(f"Loaded the demo case: {incident.title}.")
            + f"\nAdmin login: admin / {password}  (a new password on every run)\n"
            + "Then the one-time code: add this to an authenticator app (or paste it into\n"
            + f"`oathtool --totp -b`): {device.config_url}\n"
            + f"Code right now: {current_code(device)}  (changes every {device.step} seconds)\n"
        )
        if no_serve:
            return
        self.stdout.write(f"Serving at http://{addrport}/  (admin at /admin/)\n")
        call_command("runserver", addrport, use_reloader=False)
