from allauth.account import views as account_views
from allauth.socialaccount import views as social_views
from allauth.urls import build_provider_urlpatterns
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from devices import api as devices_api
from onboarding import api as onboarding_api
from onboarding import views as onboarding_views

admin.site.site_header = "ClassHub review console"
admin.site.site_title = "ClassHub review console"
admin.site.index_title = "Districts, requests and imports"

# Only allauth's sign-in pieces: no password, email or account-connection pages. District users sign in
# with Clever alone, so a local password can never outlive the role Clever gave them.
account_urlpatterns = [
    path("login/", account_views.login, name="account_login"),
    path("logout/", account_views.logout, name="account_logout"),
    path("inactive/", account_views.account_inactive, name="account_inactive"),
    path("3rdparty/login/cancelled/", social_views.login_cancelled, name="socialaccount_login_cancelled"),
    path("3rdparty/login/error/", social_views.login_error, name="socialaccount_login_error"),
    path("3rdparty/signup/", social_views.signup, name="socialaccount_signup"),
    *build_provider_urlpatterns(),
]

urlpatterns = [
    path("", onboarding_views.home, name="home"),
    path("admin/", admin.site.urls),
    path("accounts/", include(account_urlpatterns)),
    path("portal/", include("onboarding.urls")),
    path("teach/", include("teach.urls")),
    path("help/", include("helpcenter.urls")),
    path("api/v1/districts/", onboarding_api.DistrictListAPI.as_view(), name="api-districts"),
    path("api/v1/districts/<str:clever_id>/", onboarding_api.DistrictDetailAPI.as_view(), name="api-district"),
    path("api/v1/devices/identify", devices_api.DeviceIdentifyAPI.as_view(), name="api-devices-identify"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

if settings.BENCH_REFERENCE:
    # `make bench-identify` only: the reference the identify API is measured against (bench/reference_api.py).
    from bench.reference_api import ReferenceLookupAPI

    urlpatterns.append(path("api/v1/bench/reference", ReferenceLookupAPI.as_view(), name="api-bench-reference"))
