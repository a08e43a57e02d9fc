from django.contrib import admin
from django.urls import include, path

from onboarding import api as onboarding_api
from onboarding import views as onboarding_views

admin.site.site_header = "ClassHub review console"
admin.site.site_title = "ClassHub review console"
admin.site.index_title = "Districts, requests and imports"

urlpatterns = [
    path("", onboarding_views.home, name="home"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("portal/", include("onboarding.urls")),
    path("api/v1/districts/", onboarding_api.DistrictListAPI.as_view(), name="api-districts"),
    path("api/v1/districts/<str:clever_id>/", onboarding_api.DistrictDetailAPI.as_view(), name="api-district"),
]
