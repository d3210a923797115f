from django.contrib.auth import views as auth_views
from django.urls import path

from careops.core.views import account, auth, calendars, home, security
from careops.core.views import audit as audit_views
from careops.core.views import notifications as notification_views
from careops.core.views import users as user_views

app_name = "core"

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth.login_view, name="login"),
    path("login/verify/", auth.login_verify, name="login_verify"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", account.profile, name="profile"),
    path("account/password/", account.password_change, name="password_change"),
    path("account/two-factor/", account.two_factor_setup, name="two_factor_setup"),
    path("account/two-factor/recovery-codes/", account.two_factor_recovery_codes,
         name="two_factor_recovery_codes"),
    path("account/two-factor/disable/", account.two_factor_disable, name="two_factor_disable"),
    path("account/api-token/", account.api_token_create, name="api_token_create"),
    path("account/api-token/revoke/", account.api_token_revoke, name="api_token_revoke"),
    path("security/lockouts/", security.lockout_list, name="lockout_list"),
    path("security/lockouts/unlock/", security.lockout_unlock, name="lockout_unlock"),
    path("security/users/<int:pk>/", security.security_user, name="security_user"),
    path("security/users/<int:pk>/reset-two-factor/", security.security_user_reset_two_factor,
         name="security_user_reset_two_factor"),
    path("security/secrets/", security.secret_list, name="secret_list"),
    path("security/secrets/new/", security.secret_create, name="secret_create"),
    path("security/secrets/<int:pk>/replace/", security.secret_replace, name="secret_replace"),
    path("security/secrets/<int:pk>/delete/", security.secret_delete, name="secret_delete"),
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
    path("channels/", notification_views.channel_list, name="channel_list"),
    path("channels/new/", notification_views.channel_create, name="channel_create"),
    path("channels/<int:pk>/", notification_views.channel_detail, name="channel_detail"),
    path("channels/<int:pk>/edit/", notification_views.channel_edit, name="channel_edit"),
    path("channels/<int:pk>/delete/", notification_views.channel_delete, name="channel_delete"),
    path("channels/<int:pk>/test/", notification_views.channel_test, name="channel_test"),
    path("notifications/<int:pk>/result/", notification_views.notification_result,
         name="notification_result"),
    path("calendars/", calendars.calendar_list, name="calendar_list"),
    path("calendars/new/", calendars.calendar_create, name="calendar_create"),
    path("calendars/holidays/", calendars.holiday_list, name="holiday_list"),
    path("calendars/holidays/<int:year>/", calendars.holiday_year, name="holiday_year"),
    path("calendars/holidays/<int:year>/delete/", calendars.holiday_year_delete,
         name="holiday_year_delete"),
    path("calendars/<slug:slug>/", calendars.calendar_detail, name="calendar_detail"),
    path("calendars/<slug:slug>/edit/", calendars.calendar_edit, name="calendar_edit"),
    path("calendars/<slug:slug>/delete/", calendars.calendar_delete, name="calendar_delete"),
]
