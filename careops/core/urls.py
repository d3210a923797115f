from django.contrib.auth import views as auth_views
from django.urls import path

from careops.core.views import home
from careops.core.views import notifications as notification_views

app_name = "core"

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/", auth_views.PasswordChangeView.as_view(
        success_url="/"), name="password_change"),
    path("account/two-factor/", home.home, name="two_factor_setup"),
    path("channels/", notification_views.channel_list, name="channel_list"),
    path("channels/new/", notification_views.channel_create, name="channel_create"),
    path("channels/<int:pk>/", notification_views.channel_detail, name="channel_detail"),
    path("channels/<int:pk>/edit/", notification_views.channel_edit, name="channel_edit"),
    path("channels/<int:pk>/delete/", notification_views.channel_delete, name="channel_delete"),
    path("channels/<int:pk>/test/", notification_views.channel_test, name="channel_test"),
    path("notifications/<int:pk>/result/", notification_views.notification_result,
         name="notification_result"),
]
