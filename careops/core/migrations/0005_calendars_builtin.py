"""The built-in working-time calendars (docs/calendars.md)."""

from django.db import migrations

WORKDAY = ["08:00-18:00"]
LUNCH = ["08:00-12:00", "14:00-18:00"]
BUILTIN = [
    {"slug": "7x24", "name": "7×24", "observe_holidays": False,
     "description": "全年每天 24 小时（Around the clock, every day of the year）。",
     "weekly_hours": [["00:00-24:00"]] * 7},
    {"slug": "cn-workday", "name": "工作日 08:00-18:00", "observe_holidays": True,
     "description": "法定工作日 08:00-18:00，法定节假日休息、调休日上班（08:00-18:00 on Chinese working days）。",
     "weekly_hours": [WORKDAY] * 5 + [[], []]},
    {"slug": "cn-5x8", "name": "5×8 午休", "observe_holidays": True,
     "description": "法定工作日 08:00-12:00、14:00-18:00（with a lunch break, on Chinese working days）。",
     "weekly_hours": [LUNCH] * 5 + [[], []]},
]


def create(apps, schema_editor):
    WorkCalendar = apps.get_model("core", "WorkCalendar")
    for data in BUILTIN:
        WorkCalendar.objects.update_or_create(
            slug=data["slug"],
            defaults={**data, "builtin": True, "time_zone": "Asia/Shanghai",
                      "weekly_hours": [list(day) for day in data["weekly_hours"]]})


def remove(apps, schema_editor):
    apps.get_model("core", "WorkCalendar").objects.filter(builtin=True).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0004_calendars")]
    operations = [migrations.RunPython(create, remove)]
