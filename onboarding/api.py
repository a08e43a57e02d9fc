"""JSON API for districts: ClassHub staff see all, a district admin sees only their own."""

from django.shortcuts import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onboarding.selectors import district_overview, district_overviews, districts_visible_to
from onboarding.serializers import DistrictOverviewSerializer


class DistrictListAPI(APIView):
    def get(self, request: Request) -> Response:
        # Capped: the rep's console is the admin; this list serves integrations and the portal.
        districts = districts_visible_to(request.user).order_by("name")[:500]
        data = [DistrictOverviewSerializer(overview).data for overview in district_overviews(districts)]
        return Response({"results": data})


class DistrictDetailAPI(APIView):
    def get(self, request: Request, clever_id: str) -> Response:
        district = get_object_or_404(districts_visible_to(request.user), clever_id=clever_id)
        return Response(DistrictOverviewSerializer(district_overview(district=district)).data)
