from rest_framework import serializers

from onboarding.models import District


class SchoolDecisionSerializer(serializers.Serializer):
    clever_id = serializers.CharField(source="clever_school_id")
    name = serializers.CharField(source="school_name")
    decision = serializers.CharField()
    reason = serializers.CharField()


class ImportRunSerializer(serializers.Serializer):
    status = serializers.CharField()
    phase = serializers.CharField()
    done = serializers.IntegerField()
    total = serializers.IntegerField(allow_null=True)
    counts = serializers.JSONField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    error = serializers.CharField()


class DistrictOverviewSerializer(serializers.Serializer):
    """The shape of GET /api/v1/districts/<clever_id>/, built from selectors.district_overview."""

    def to_representation(self, overview):
        district: District = overview["district"]
        run = overview["last_import"]
        return {
            "clever_id": district.clever_id,
            "name": district.name,
            "status": district.status,
            "schools": SchoolDecisionSerializer(overview["decisions"], many=True).data,
            "last_import": ImportRunSerializer(run).data if run else None,
        }
