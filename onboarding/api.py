"""JSON API for districts: ClassHub staff see all, a district admin sees only their own."""

from django.shortcuts import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onboarding.selectors import district_overview, districts_visible_to
from onboarding.serializers import DistrictOverviewSerializer


class DistrictListAPI(APIView):
    def get(self, request: Request) -> Response:
        districts = districts_visible_to(request.user).order_by("name")[:500]
        data = [DistrictOverviewSerializer(district_overview(district=d)).data for d in districts]
        return Response({"results": data})


class DistrictDetailAPI(APIView):
    def get(self, request: Request, clever_id: str) -> Response:
        district = get_object_or_404(districts_visible_to(request.user), clever_id=clever_id)
        return Response(DistrictOverviewSerializer(district_overview(district=district)).data)
