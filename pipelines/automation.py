"""When the year's job runs by itself: the nightly schedule and the raw-folder sensor."""

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg

from pipelines.hashing import sha256_of, tree_sha256
from pipelines.partitions import fiscal_years
from pipelines.resources import RawFolder

TIMEZONE = "Asia/Shanghai"
NIGHTLY_CRON = "0 2 * * *"


def years_to_run(today: dt.date) -> list[str]:
    """The current fiscal year, and in January also the year just closed (late payments and the
    March cut-off of the fiscal window still change it)."""
    years = [today.year]
    if today.month == 1:
        years.insert(0, today.year - 1)
    valid = set(fiscal_years.get_partition_keys())
    return [str(y) for y in years if str(y) in valid]


def build_nightly_schedule(job) -> dg.ScheduleDefinition:
    @dg.schedule(
        name="nightly_current_year",
        cron_schedule=NIGHTLY_CRON,
        execution_timezone=TIMEZONE,
        job=job,
        description="每天 02:00（北京时间）重建本财政年度；一月份同时重建上一年度 "
        "(02:00 Asia/Shanghai: rebuild the current fiscal year, and in January the year just closed)",
    )
    def nightly(context: dg.ScheduleEvaluationContext):
        scheduled = context.scheduled_execution_time or dt.datetime.now(dt.UTC)
        local = scheduled.astimezone(ZoneInfo(TIMEZONE)).date()
        for year in years_to_run(local):
            yield dg.RunRequest(run_key=f"nightly-{local.isoformat()}-{year}", partition_key=year)

    return nightly


def year_fingerprint(year_dir: Path, hash_cache: dict[str, list]) -> str:
    """A hash of every file's path and content under raw/<year>/. File hashes are cached by
    (size, mtime) so unchanged files are not re-read; the fingerprint itself is content-based, so a
    touched but unchanged file starts no run."""

    def cached_sha256(path: Path) -> str:
        stat = path.stat()
        key = path.as_posix()
        cached = hash_cache.get(key)
        if cached and cached[0] == stat.st_size and cached[1] == stat.st_mtime_ns:
            return cached[2]
        content = sha256_of(path)
        hash_cache[key] = [stat.st_size, stat.st_mtime_ns, content]
        return content

    return tree_sha256(year_dir, file_sha256=cached_sha256)


def build_raw_folder_sensor(job) -> dg.SensorDefinition:
    @dg.sensor(
        name="raw_folder_changed",
        job=job,
        minimum_interval_seconds=60,
        description="raw/<year>/ 中有文件新增、修改或删除（按内容哈希）时重建该年度 "
        "(rebuild a year when a file under raw/<year>/ is added, changed or removed, by content hash)",
    )
    def raw_folder_changed(context: dg.SensorEvaluationContext, raw_folder: RawFolder):
        state = json.loads(context.cursor) if context.cursor else {}
        fingerprints: dict[str, str] = state.get("years", {})
        hash_cache: dict[str, list] = state.get("hashes", {})
        root = Path(raw_folder.path)
        valid = set(fiscal_years.get_partition_keys())
        requests = []
        for year_dir in (
            sorted(p for p in root.iterdir() if p.is_dir() and p.name in valid)
            if root.is_dir()
            else []
        ):
            fingerprint = year_fingerprint(year_dir, hash_cache)
            if fingerprints.get(year_dir.name) != fingerprint:
                fingerprints[year_dir.name] = fingerprint
                requests.append(
                    dg.RunRequest(
                        run_key=f"raw-{year_dir.name}-{fingerprint[:16]}",
                        partition_key=year_dir.name,
                    )
                )
        context.update_cursor(
            json.dumps({"years": fingerprints, "hashes": hash_cache}, sort_keys=True)
        )
        if not requests:
            return dg.SkipReason("raw/ 无变化 (no file under raw/ changed)")
        return requests

    return raw_folder_changed
