"""API tokens: `{username, password}` -> `{token}`, counted by django-axes like the web login."""

from axes.helpers import get_cool_off
from django.contrib.auth import authenticate, user_logged_in
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

MSG_BAD_CREDENTIALS = _("The email address or the password is not correct.")
MSG_LOCKED_OUT = _("Too many failed sign-in attempts. Sign-in is locked for a while; please try again later.")


class BadCredentials(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = MSG_BAD_CREDENTIALS
    default_code = "bad_credentials"


class LockedOut(exceptions.APIException):
    """django-axes refused the attempt; `wait` becomes the Retry-After header."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = MSG_LOCKED_OUT
    default_code = "locked_out"

    def __init__(self, *, wait: int | None):
        super().__init__()
        self.wait = wait


class TokenObtainApi(APIView):
    """Exchange an email address and password for the token to send as `Authorization: Token <token>`."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=254, help_text=_("The account's email address."))
        password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})

        class Meta:
            ref_name = "TokenObtain"

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()

        class Meta:
            ref_name = "Token"

    @extend_schema(
        request=InputSerializer,
        responses={200: OutputSerializer},
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # Through django.contrib.auth.authenticate with the request, so django-axes counts each failure and
        # refuses locked-out accounts. Axes marks the DRF request it is given (not the Django request), so
        # its middleware leaves this response alone and the lockout is answered here, in the error body.
        user = authenticate(
            request=request,
            username=serializer.validated_data["username"].strip().lower(),
            password=serializer.validated_data["password"],
        )
        if user is None:
            if getattr(request, "axes_locked_out", False):
                cool_off = get_cool_off(request)
                raise LockedOut(wait=int(cool_off.total_seconds()) if cool_off else None)
            raise BadCredentials
        # A token is a sign-in: the signal lets axes reset the failure count and records last_login.
        user_logged_in.send(sender=type(user), request=request, user=user)
        token, _created = Token.objects.get_or_create(user=user)
        return Response(self.OutputSerializer({"token": token.key}).data, status=status.HTTP_200_OK)
