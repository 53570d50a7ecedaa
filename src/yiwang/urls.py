from django.contrib import admin
from django.urls import include, path, reverse_lazy
from django.views.generic import RedirectView

from yiwang.api import errors
from yiwang.api.router import api
from yiwang.api.url_groups import SegmentResolver

admin.site.site_header = "一网 · 政务服务平台管理"
admin.site.site_title = "一网管理"
admin.site.index_title = "平台管理"

urlpatterns = [
    SegmentResolver("api/v1/", errors.json_method_not_allowed(api.urls)),
    # The admin signs in through the platform's own page, so its rate limit and TOTP apply there too.
    path("admin/login/", RedirectView.as_view(url=reverse_lazy("accounts:login"), query_string=True)),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("yiwang.accounts.urls")),
    path("o/", include("yiwang.accounts.oidc_urls", namespace="oauth2_provider")),
    path("workbench/", include("yiwang.workbench.urls")),
    path("", include("yiwang.portal.urls")),
]

# JSON under /api/, the portal's pages elsewhere.
handler404 = "yiwang.api.errors.page_not_found"
handler500 = "yiwang.api.errors.server_error"
