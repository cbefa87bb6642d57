"""The nightly schedule and the raw-folder sensor, evaluated with Dagster's test helpers."""

import datetime as dt
import json
import os
from zoneinfo import ZoneInfo

import dagster as dg

from pipelines.automation import build_nightly_schedule, build_raw_folder_sensor, years_to_run
from pipelines.partitions import fiscal_years
from pipelines.resources import RawFolder

JOB = dg.define_asset_job("union_year", partitions_def=fiscal_years)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_years_to_run():
    assert years_to_run(dt.date(2023, 6, 1)) == ["2023"]
    assert years_to_run(dt.date(2024, 1, 15)) == ["2023", "2024"]


def schedule_requests(when: dt.datetime) -> list[dg.RunRequest]:
    schedule = build_nightly_schedule(JOB)
    context = dg.build_schedule_context(scheduled_execution_time=when)
    return list(schedule(context))


def test_schedule_runs_the_current_year_at_two_in_shanghai():
    schedule = build_nightly_schedule(JOB)
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 2 * * *", "Asia/Shanghai")
    requests = schedule_requests(dt.datetime(2023, 6, 15, 2, 0, tzinfo=SHANGHAI))
    assert [r.partition_key for r in requests] == ["2023"]


def test_schedule_in_january_also_runs_the_year_just_closed():
    # 2024-01-01 02:00 in Shanghai is still 2023-12-31 in UTC: the local date decides.
    requests = schedule_requests(dt.datetime(2024, 1, 1, 2, 0, tzinfo=SHANGHAI))
    assert [r.partition_key for r in requests] == ["2023", "2024"]


def sensor_tick(raw_dir, cursor=None):
    sensor = build_raw_folder_sensor(JOB)
    context = dg.build_sensor_context(
        cursor=cursor, resources={"raw_folder": RawFolder(path=str(raw_dir))}
    )
    result = sensor(context)
    requests = result if isinstance(result, list) else []
    return [r.partition_key for r in requests], context.cursor


def test_sensor_requests_a_run_per_changed_year_by_content(tmp_path):
    (tmp_path / "2022" / "welfare").mkdir(parents=True)
    (tmp_path / "2023" / "welfare").mkdir(parents=True)
    (tmp_path / "2022" / "welfare" / "a.csv").write_text("x")
    file_2023 = tmp_path / "2023" / "welfare" / "a.csv"
    file_2023.write_text("y")

    years, cursor = sensor_tick(tmp_path)
    assert years == ["2022", "2023"]

    years, cursor = sensor_tick(tmp_path, cursor)
    assert years == []  # nothing changed

    stat = file_2023.stat()
    os.utime(file_2023, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000_000))
    years, cursor = sensor_tick(tmp_path, cursor)
    assert years == []  # touched, same content: no run

    file_2023.write_text("z")
    years, cursor = sensor_tick(tmp_path, cursor)
    assert years == ["2023"]

    (tmp_path / "2022" / "welfare" / "b.csv").write_text("new")
    years, cursor = sensor_tick(tmp_path, cursor)
    assert years == ["2022"]
    assert set(json.loads(cursor)["years"]) == {"2022", "2023"}
