"""The OpenID Connect provider's URLs: authorisation, tokens, discovery, and the page where users
revoke apps they granted. Client registration is not mounted: only platform administrators
register department systems, in the admin (an open registration page would let anyone put a
trusted-looking name on a consent page)."""

from oauth2_provider import urls as dot

app_name = "oauth2_provider"
urlpatterns = [
    *dot.metadata_urlpatterns,
    *dot.base_urlpatterns,
    *dot.oidc_urlpatterns,
    *(p for p in dot.management_urlpatterns if p.name.startswith("authorized-token")),
]
