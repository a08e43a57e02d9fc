"""The device identify API: the ClassHub device agents ask who is signed in on a device."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated, ParseError
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from devices.api_auth import WWW_AUTHENTICATE, DeviceKeyAuthentication, DeviceKeyRateThrottle, HasDeviceKey
from devices.identify import IdentifyReason, device_identify
from devices.models import Platform


class IdentifyRequestSerializer(serializers.Serializer):
    email = serializers.CharField(
        max_length=254,
        help_text="The email signed in on the device; matched trimmed and case-insensitively.",
    )
    platform = serializers.ChoiceField(choices=Platform.choices, help_text="The device's platform.")
    device_id = serializers.CharField(
        max_length=128,
        required=False,
        allow_blank=True,
        help_text="The agent's id for the device, for the agent's own logs; not stored.",
    )

    def validate_email(self, value: str) -> str:
        if "@" not in value:
            raise serializers.ValidationError("Send the email signed in on the device, like name@example.org.")
        return value


PLATFORMS = frozenset(Platform.values)


def _plain(value, max_length: int) -> bool:
    return isinstance(value, str) and value.isascii() and "\x00" not in value and len(value.strip()) <= max_length


def identify_request_fields(data) -> tuple[str, str]:
    """The request's email and platform, or a ValidationError naming each bad field.

    A plain request (ASCII strings within their lengths) is checked here directly: a serializer instance costs
    about a third of a millisecond of deep copies per request. Anything else goes through the serializer,
    which gives its exact rules and messages; both accept the same requests.
    """
    if isinstance(data, dict):
        email, platform, device_id = data.get("email"), data.get("platform"), data.get("device_id", "")
        if (
            isinstance(platform, str)
            and platform in PLATFORMS
            and _plain(email, 254)
            and "@" in email
            and email.strip()
            and _plain(device_id, 128)
        ):
            return email.strip(), platform
    checked = IdentifyRequestSerializer(data=data)
    checked.is_valid(raise_exception=True)
    return checked.validated_data["email"], checked.validated_data["platform"]


class IdentifySchoolSerializer(serializers.Serializer):
    clever_id = serializers.CharField()
    name = serializers.CharField()


class IdentifyStudentSerializer(serializers.Serializer):
    clever_id = serializers.CharField(help_text="The student's Clever id.")
    name = serializers.CharField(help_text="First and last name.")
    grade = serializers.CharField(help_text="Clever's grade, as the SIS sent it (may be empty).")
    school = IdentifySchoolSerializer(help_text="The student's primary school.")


class IdentifySectionSerializer(serializers.Serializer):
    clever_id = serializers.CharField()
    name = serializers.CharField()
    period = serializers.CharField()
    teachers = serializers.ListField(child=serializers.CharField(), help_text="Names, the primary teacher first.")


class IdentifyMatchedSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["matched"])
    student = IdentifyStudentSerializer()
    sections = IdentifySectionSerializer(many=True, help_text="Active sections of the current term (or of no term).")


class IdentifyRefusedSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["clever_login_required"])
    reason = serializers.ChoiceField(choices=list(IdentifyReason.ALL), help_text="Why, as a stable code.")
    message = serializers.CharField(help_text="Why, and what fixes it, for a person.")


class IdentifyInvalidSerializer(serializers.Serializer):
    """A 400: each invalid field by name with its messages; ``detail`` when the body is not JSON at all."""

    email = serializers.ListField(child=serializers.CharField(), required=False)
    platform = serializers.ListField(child=serializers.CharField(), required=False)
    device_id = serializers.ListField(child=serializers.CharField(), required=False)
    non_field_errors = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="The body is JSON but not an object."
    )
    detail = serializers.CharField(required=False, help_text="The body is not valid JSON.")


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


IDENTIFY_ANSWER = PolymorphicProxySerializer(
    component_name="IdentifyAnswer",
    serializers={"matched": IdentifyMatchedSerializer, "clever_login_required": IdentifyRefusedSerializer},
    resource_type_field_name="status",
)


class DeviceKeyScheme(OpenApiAuthenticationExtension):
    target_class = "devices.api_auth.DeviceKeyAuthentication"
    name = "deviceKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A district's device key (`chk_...`), as `Authorization: Bearer <key>`; "
            "the header `X-Device-Key: <key>` is accepted too.",
        }


class BoundedJSONParser(JSONParser):
    """JSON, where a body nested too deep for Python's parser is a 400 like any other bad JSON, not a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply.") from None


class DeviceIdentifyAPI(APIView):
    authentication_classes = [DeviceKeyAuthentication]
    permission_classes = [HasDeviceKey]
    throttle_classes = [DeviceKeyRateThrottle]
    parser_classes = [BoundedJSONParser]
    renderer_classes = [JSONRenderer]

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, NotAuthenticated | AuthenticationFailed):
            # Wrong, revoked and missing keys look the same: no detail for whoever is probing.
            return Response(status=401, headers={"WWW-Authenticate": WWW_AUTHENTICATE})
        return super().handle_exception(exc)

    @extend_schema(
        operation_id="devices_identify",
        summary="Identify the student signed in on a device",
        description=(
            "Give the email signed in on a device and the device's platform; get the student and their current "
            "sections, or `clever_login_required` with the reason (the student then signs in with Clever). "
            "A key only ever sees its own district's students."
        ),
        tags=["devices"],
        request=IdentifyRequestSerializer,
        parameters=[
            OpenApiParameter(
                "Retry-After",
                OpenApiTypes.INT,
                location=OpenApiParameter.HEADER,
                response=[429],
                description="Seconds until the key may call again.",
            )
        ],
        responses={
            200: OpenApiResponse(
                IDENTIFY_ANSWER, description="The student and their sections, or why they must sign in with Clever."
            ),
            400: OpenApiResponse(IdentifyInvalidSerializer, description="Malformed JSON, or invalid fields by name."),
            401: OpenApiResponse(description="Missing, wrong or revoked device key (empty body)."),
            415: OpenApiResponse(DetailSerializer, description="The body is not `application/json`."),
            429: OpenApiResponse(DetailSerializer, description="Too many requests for this key; see Retry-After."),
        },
        examples=[
            OpenApiExample(
                "A Chromebook",
                value={"email": "ada.lovelace@example.org", "platform": "chromebook", "device_id": "5CD1234XYZ"},
                request_only=True,
            ),
            OpenApiExample(
                "Matched",
                value={
                    "status": "matched",
                    "student": {
                        "clever_id": "5f1a...",
                        "name": "Ada Lovelace",
                        "grade": "7",
                        "school": {"clever_id": "5e2b...", "name": "Lincoln Middle School"},
                    },
                    "sections": [
                        {"clever_id": "5c3d...", "name": "Math 7", "period": "2", "teachers": ["Grace Hopper"]}
                    ],
                },
                response_only=True,
                status_codes=["200"],
            ),
            OpenApiExample(
                "Refused",
                value={
                    "status": "clever_login_required",
                    "reason": "outside_domains",
                    "message": "ada@gmail.com is not in the Google Workspace domains of Lincoln Middle School ...",
                },
                response_only=True,
                status_codes=["200"],
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        email, platform = identify_request_fields(request.data)
        return Response(device_identify(district_id=request.auth.district_id, email=email, platform=platform))
