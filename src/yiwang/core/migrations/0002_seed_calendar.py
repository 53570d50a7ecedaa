"""Seed the working-day calendar with every year chinesecalendar knows, so a fresh database can
compute deadlines at once. Later years are entered by administrators (admin or import command)."""

from django.db import migrations


def seed(apps, schema_editor):
    from yiwang.core import calendar_schedule

    CalendarYear = apps.get_model("core", "CalendarYear")
    CalendarAdjustment = apps.get_model("core", "CalendarAdjustment")
    CalendarDay = apps.get_model("core", "CalendarDay")
    if CalendarYear.objects.exists():
        return
    ordinal = 0
    days = []
    for year in calendar_schedule.library_years():
        adjustments = calendar_schedule.library_adjustments(year)
        cal_year = CalendarYear.objects.create(year=year, source="library", notice="chinesecalendar")
        CalendarAdjustment.objects.bulk_create(
            CalendarAdjustment(calendar_year=cal_year, kind=a.kind, name=a.name, start=a.start, end=a.end)
            for a in adjustments
        )
        for d in calendar_schedule.build_year(year, adjustments):
            ordinal += d.is_workday
            days.append(
                CalendarDay(
                    date=d.date,
                    is_workday=d.is_workday,
                    holiday_name=d.holiday_name,
                    is_makeup_workday=d.is_makeup_workday,
                    workday_ordinal=ordinal,
                )
            )
    CalendarDay.objects.bulk_create(days, batch_size=2000)


def unseed(apps, schema_editor):
    apps.get_model("core", "CalendarDay").objects.all().delete()
    apps.get_model("core", "CalendarYear").objects.filter(source="library").delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
