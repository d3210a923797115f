from django.contrib.auth import views as auth_views
from django.urls import path

from careops.core.views import audit as audit_views
from careops.core.views import home
from careops.core.views import users as user_views

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
    path("users/", user_views.user_list, name="user_list"),
    path("users/new/", user_views.user_create, name="user_create"),
    path("users/<int:pk>/", user_views.user_detail, name="user_detail"),
    path("users/<int:pk>/active/", user_views.user_set_active, name="user_set_active"),
    path("users/<int:pk>/reset-password/", user_views.user_reset_password,
         name="user_reset_password"),
    path("roles/", user_views.role_list, name="role_list"),
]
