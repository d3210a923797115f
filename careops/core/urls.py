from django.contrib.auth import views as auth_views
from django.urls import path

from careops.core.views import audit as audit_views
from careops.core.views import home

app_name = "core"

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/", auth_views.PasswordChangeView.as_view(
        success_url="/"), name="password_change"),
    path("account/two-factor/", home.home, name="two_factor_setup"),
    path("audit/", audit_views.audit_list, name="audit_list"),
    path("audit/export.xlsx", audit_views.audit_export, name="audit_export"),
    path("audit/<int:pk>/", audit_views.audit_detail, name="audit_detail"),
]
