"""The admin behind two factors: a password, then a time-based one-time code (TOTP).

A staff member who has signed in with a password but not yet given a code has an
unverified session: every admin page sends them to the code step, or, if they have no
authenticator yet, to enrolment. Sources can be endangered people: a stolen password
alone must not open their names.
"""

import base64
import unicodedata
from io import BytesIO
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.validators import MaxLengthValidator
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


class LoginForm(AdminAuthenticationForm):
    """The admin's password form, refusing an over-long username before any look-up.

    AuthenticationForm sets the username's max_length after the field is built, which
    limits the input box but adds no validator: a 10,000-character name would reach the
    authentication backends and the sign-in failure log.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))
        field.validators.append(refuse_invisible_characters)


# Control, format (bidirectional overrides, zero-width), surrogate, private-use and
# unassigned characters: no account name contains them, and they disguise what is typed.
INVISIBLE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}

# Errors about the shape of what was sent, not about whether it was right: the form
# answers 400 Bad Request for them (a wrong password or code stays a 200 with a message).
MALFORMED_CODES = {"max_length", "null_characters_not_allowed", "invisible_characters"}


def refuse_invisible_characters(value):
    if any(unicodedata.category(char) in INVISIBLE_CATEGORIES for char in value):
        raise forms.ValidationError(
            "This contains invisible or control characters: type it again without them.",
            code="invisible_characters",
        )


def malformed(form):
    """Whether a submitted form failed on the shape of its input (over-long, NUL bytes,
    invisible characters) rather than on its content."""
    if form is None or not form.is_bound or form.is_valid():
        return False
    codes = {error.code for errors in form.errors.as_data().values() for error in errors}
    return bool(codes & MALFORMED_CODES)


class OTPCodeForm(forms.Form):
    otp_token = forms.CharField(
        label="Code from your authenticator app",
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device
        self.fields["otp_token"].validators.append(refuse_invisible_characters)

    def clean_otp_token(self):
        token = self.cleaned_data["otp_token"].strip().replace(" ", "")
        # TOTPDevice throttles itself: after each failure the next try must wait longer.
        allowed, _details = self.device.verify_is_allowed()
        if not allowed:
            raise forms.ValidationError(
                "Too many wrong codes. Wait a minute, then try again.", code="throttled"
            )
        if not token.isdigit() or not self.device.verify_token(token):
            raise forms.ValidationError(
                "That code is wrong or has expired. Enter the current one.", code="invalid"
            )
        return token


def current_code(device):
    """The code the device's authenticator app shows now (for the demo and tests)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def qr_code_data_uri(text):
    """An SVG QR code as a data: URI, which the Content-Security-Policy's img-src allows."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def is_verified(request):
    """Whether this session has passed the code step (False right after a password login,
    when ``request.user`` is the freshly authenticated user, not the middleware's)."""
    check = getattr(request.user, "is_verified", None)
    return bool(check and check())


class OTPAdminSite(admin.AdminSite):
    site_header = "Incident tracker: data entry"
    site_title = "Incident tracker"
    login_form = LoginForm

    def has_permission(self, request):
        return super().has_permission(request) and is_verified(request)

    def get_urls(self):
        return [
            path("otp/", self.otp_verify, name="otp_verify"),
            path("otp/enrol/", self.otp_enrol, name="otp_enrol"),
            *super().get_urls(),
        ]

    def _password_signed_in(self, request):
        user = request.user
        return user.is_authenticated and user.is_active and user.is_staff

    def _next_url(self, request):
        url = request.POST.get(REDIRECT_FIELD_NAME, request.GET.get(REDIRECT_FIELD_NAME, ""))
        if url and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return url
        return reverse("admin:index", current_app=self.name)

    def _second_step(self, request):
        """Where a password-signed-in staff member without a verified session goes next."""
        confirmed = TOTPDevice.objects.devices_for_user(request.user, confirmed=True).exists()
        name = "admin:otp_verify" if confirmed else "admin:otp_enrol"
        url = reverse(name, current_app=self.name)
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or request.POST.get(REDIRECT_FIELD_NAME)
        if next_url:
            url += "?" + urlencode({REDIRECT_FIELD_NAME: next_url})
        return HttpResponseRedirect(url)

    @method_decorator(never_cache)
    def login(self, request, extra_context=None):
        if self._password_signed_in(request) and not is_verified(request):
            return self._second_step(request)
        response = super().login(request, extra_context)
        if (
            request.method == "POST"
            and self._password_signed_in(request)
            and not is_verified(request)
        ):
            return self._second_step(request)
        return self._bad_request_if_malformed(request, response)

    @staticmethod
    def _bad_request_if_malformed(request, response):
        context = getattr(response, "context_data", None) or {}
        if request.method == "POST" and malformed(context.get("form")):
            response.status_code = 400
        return response

    def _otp_page(self, request, template, form, **context):
        response = TemplateResponse(
            request,
            template,
            {
                **self.each_context(request),
                "form": form,
                "next": request.GET.get(REDIRECT_FIELD_NAME, ""),
                **context,
            },
        )
        return self._bad_request_if_malformed(request, response)

    @method_decorator(never_cache)
    @method_decorator(csrf_protect)
    def otp_verify(self, request):
        if not self._password_signed_in(request):
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if is_verified(request):
            return HttpResponseRedirect(self._next_url(request))
        device = TOTPDevice.objects.devices_for_user(request.user, confirmed=True).first()
        if device is None:
            return self._second_step(request)
        form = OTPCodeForm(request.POST or None, device=device)
        if request.method == "POST" and form.is_valid():
            otp_login(request, device)
            return HttpResponseRedirect(self._next_url(request))
        return self._otp_page(
            request, "accounts/otp_verify.html", form, title="Two-factor authentication"
        )

    @method_decorator(never_cache)
    @method_decorator(csrf_protect)
    def otp_enrol(self, request):
        if not self._password_signed_in(request):
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if is_verified(request):
            return HttpResponseRedirect(self._next_url(request))
        if TOTPDevice.objects.devices_for_user(request.user, confirmed=True).exists():
            return self._second_step(request)
        device = TOTPDevice.objects.devices_for_user(request.user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(
                user=request.user, name="Authenticator app", confirmed=False
            )
        form = OTPCodeForm(request.POST or None, device=device)
        if request.method == "POST" and form.is_valid():
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return HttpResponseRedirect(self._next_url(request))
        secret = base64.b32encode(device.bin_key).decode()
        return self._otp_page(
            request,
            "accounts/otp_enrol.html",
            form,
            title="Set up two-factor authentication",
            qr_code=qr_code_data_uri(device.config_url),
            secret=secret,
        )
