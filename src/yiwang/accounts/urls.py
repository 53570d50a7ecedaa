from django.urls import path

from yiwang.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/totp/", views.login_totp_view, name="login-totp"),
    path("logout/", views.logout_view, name="logout"),
    path("register/", views.register_view, name="register"),
    path("preferences/elderly/", views.elderly_mode_view, name="elderly-mode"),
    path("security/totp/", views.totp_setup_view, name="totp-setup"),
    path("agents/", views.agents_view, name="agents"),
]
