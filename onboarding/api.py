"""JSON API for districts: ClassHub staff see all, a district admin sees only their own."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onboarding.selectors import district_overview, district_overviews, districts_visible_to
from onboarding.serializers import DistrictOverviewSerializer, ImportRunSerializer, SchoolDecisionSerializer

# The documented shape of DistrictOverviewSerializer's output (it builds its dict by hand).
DISTRICT_SCHEMA = inline_serializer(
    "DistrictOverview",
    {
        "clever_id": serializers.CharField(),
        "name": serializers.CharField(),
        "status": serializers.CharField(),
        "schools": SchoolDecisionSerializer(many=True),
        "last_import": ImportRunSerializer(allow_null=True),
    },
)


class DistrictListAPI(APIView):
    @extend_schema(
        operation_id="districts_list",
        tags=["districts"],
        responses=inline_serializer("DistrictList", {"results": serializers.ListField(child=DISTRICT_SCHEMA)}),
    )
    def get(self, request: Request) -> Response:
        # Capped: the rep's console is the admin; this list serves integrations and the portal.
        districts = districts_visible_to(request.user).order_by("name")[:500]
        data = [DistrictOverviewSerializer(overview).data for overview in district_overviews(districts)]
        return Response({"results": data})


class DistrictDetailAPI(APIView):
    @extend_schema(operation_id="districts_retrieve", tags=["districts"], responses=DISTRICT_SCHEMA)
    def get(self, request: Request, clever_id: str) -> Response:
        district = get_object_or_404(districts_visible_to(request.user), clever_id=clever_id)
        return Response(DistrictOverviewSerializer(district_overview(district=district)).data)
