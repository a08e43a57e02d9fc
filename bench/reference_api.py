"""The identify benchmark's reference: the least a DRF endpoint can do to answer "who has this email".

Routed only when CLASSHUB_BENCH_REFERENCE=1 (classhub/urls.py), so it never exists in normal runs. Same server,
same middleware, same JSON parsing as the identify API; one indexed lookup, no key, no rate limit, no sections.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from rosters.models import Student


class ReferenceLookupAPI(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]

    @extend_schema(exclude=True)
    def post(self, request: Request) -> Response:
        email = str(request.data.get("email", "")).strip().lower()
        # The single-column index on email (the benchmark's emails are stored lower case).
        row = Student.objects.filter(email=email).order_by().values("clever_id", "first_name", "last_name", "grade")[:1]
        student = next(iter(row), None)
        if student is None:
            return Response({"status": "unknown"}, status=404)
        return Response(
            {
                "clever_id": student["clever_id"],
                "name": f"{student['first_name']} {student['last_name']}",
                "grade": student["grade"],
            }
        )
