from django.contrib.auth import views as auth_views
from django.urls import path

from careops.core.views import calendars, home

app_name = "core"

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/", auth_views.PasswordChangeView.as_view(
        success_url="/"), name="password_change"),
    path("account/two-factor/", home.home, name="two_factor_setup"),
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
