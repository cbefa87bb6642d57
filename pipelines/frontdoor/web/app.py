"""The departments' submission page and the union office's status page.

A department's clerk signs in with the department's access code, uploads files for a year and a
source, sees the instant checks (pipelines.frontdoor.validate) and accepts a file into raw/; the
office sees every source and department. Pages are Chinese first, English beside, and show no
personal data (a 身份证号 or 手机号 cell's value is masked in the checks).
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from pipelines.contract import load_contract
from pipelines.errors import UnionWarehouseError
from pipelines.frontdoor import accounts, submissions
from pipelines.frontdoor.departments import department
from pipelines.frontdoor.status import department_quarantine, year_status
from pipelines.frontdoor.template import template_file_name, write_templates
from pipelines.frontdoor.uploads import Limits, UploadRefused, check_content, clean_file_name
from pipelines.frontdoor.validate import validate_files
from pipelines.frontdoor.web.security import (
    SESSION_HOURS,
    BodyLimit,
    csrf_token,
    require_csrf,
    session_secret,
)

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
MAX_FILES_PER_UPLOAD = 10
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    marts_dir: Path
    warehouse: Path  # the published DuckDB file; private/ beside it holds the front door's files
    limits: Limits = field(default_factory=Limits)
    year: int = dt.date.today().year  # the year the pages open on

    @property
    def work_dir(self) -> Path:
        return self.warehouse.parent / "private" / "frontdoor"

    @property
    def accounts_path(self) -> Path:
        return self.work_dir / "accounts.json"

    @property
    def archive_dir(self) -> Path:
        return self.warehouse.parent / "archive"


def create_app(settings: Settings) -> BodyLimit:
    checking = threading.Lock()  # dbt runs one build at a time in a process
    contract = load_contract()

    def render(request: Request, name: str, status_code: int = 200, **context) -> Response:
        context |= {
            "account": _account(request),
            "csrf": csrf_token(request),
            "sources": {s: contract.tables_of(s)[0].zh for s in contract.sources},
        }
        return TEMPLATES.TemplateResponse(request, name, context, status_code=status_code)

    async def home(request: Request) -> Response:
        account = _account(request)
        if account is None:
            return render(request, "signin.html", codes=_sign_in_choices(settings))
        return RedirectResponse("/office" if account.is_office else "/department", 303)

    async def sign_in(request: Request) -> Response:
        async with request.form(max_files=0, max_fields=5, max_part_size=4096) as form:
            require_csrf(request, form)
            code, secret = str(form.get("department", "")), str(form.get("access_code", ""))
        account = await run_in_threadpool(accounts.sign_in, settings.accounts_path, code, secret)
        if account is None:
            return render(
                request,
                "signin.html",
                401,
                codes=_sign_in_choices(settings),
                error="部门或访问码不正确 / wrong department or access code",
            )
        request.session.clear()
        request.session.update({"account": account.code, "signed_in": _now()})
        return RedirectResponse("/", 303)

    async def sign_out(request: Request) -> Response:
        async with request.form(max_files=0, max_fields=2, max_part_size=4096) as form:
            require_csrf(request, form)
        request.session.clear()
        return RedirectResponse("/", 303)

    async def department_page(request: Request) -> Response:
        account = _require(request)
        if account.is_office:
            return RedirectResponse("/office", 303)
        year = _year(request.query_params.get("year"), settings.year)
        submitted = [
            r
            for r in submissions.ledger(settings.work_dir, year).values()
            if r["department"] == account.code
        ]
        return render(request, "department.html", year=year, submitted=submitted)

    async def upload(request: Request) -> Response:
        account = _require(request)
        if account.is_office:
            raise HTTPException(403, "办公室账号不提交文件 / the office account does not submit")
        refusals: list[UploadRefused] = []
        accepted: list[tuple[str, bytes]] = []
        async with request.form(
            max_files=MAX_FILES_PER_UPLOAD, max_fields=10, max_part_size=4096
        ) as form:
            require_csrf(request, form)
            year = _year(form.get("year"), settings.year)
            source = str(form.get("source", ""))
            if source not in contract.sources:
                raise HTTPException(400, "未知的数据来源 / unknown source")
            files = [f for f in form.getlist("files") if not isinstance(f, str)]
            for item in files:
                try:
                    name = clean_file_name(item.filename or "")
                    data = await item.read()
                    check_content(name, data, settings.limits)
                    accepted.append((name, data))
                except UploadRefused as refused:
                    refusals.append(refused)
        if refusals or not accepted:
            return render(request, "refused.html", 400, refusals=refusals, year=year)
        staged = await run_in_threadpool(_check, account.code, year, source, accepted)
        return render(request, "checked.html", year=year, checks=staged)

    def _check(code: str, year: int, source: str, files: list[tuple[str, bytes]]) -> list[dict]:
        staged = []
        paths = []
        for name, data in files:
            staged_id, path = submissions.stage(settings.work_dir, data, code, year, source, name)
            staged.append((staged_id, name, data))
            paths.append((path, name))
        with checking:
            validation = validate_files(
                paths, year, settings.raw_dir, settings.work_dir, source=source
            )
        results = []
        for (staged_id, name, data), check in zip(staged, validation.files, strict=True):
            record = submissions.Staged(
                staged_id=staged_id,
                department=code,
                year=year,
                source=source,
                file_name=name,
                sha256=submissions.sha256_bytes(data),
                bytes=len(data),
                rows=check.rows,
                rows_clean=check.rows_clean,
                ok=check.ok,
                readable=check.status == "loaded",
                problems=[asdict(p) for p in check.problems],
            )
            submissions.save_check(settings.work_dir, record)
            results.append(asdict(record))
        return results

    async def checked(request: Request) -> Response:
        account = _require(request)
        found = submissions.load_staged(settings.work_dir, request.path_params["staged_id"])
        if found is None or found[0].department != account.code:
            raise HTTPException(404, "没有这个文件 / no such file")
        staged = found[0]
        return render(request, "checked.html", year=staged.year, checks=[asdict(staged)])

    async def accept(request: Request) -> Response:
        account = _require(request)
        async with request.form(max_files=0, max_fields=2, max_part_size=4096) as form:
            require_csrf(request, form)
        found = submissions.load_staged(settings.work_dir, request.path_params["staged_id"])
        if found is None or found[0].department != account.code:
            raise HTTPException(404, "没有这个文件 / no such file")
        staged, path = found
        if not staged.readable:
            raise HTTPException(
                400, "无法读取的文件不能提交 / an unreadable file cannot be submitted"
            )
        try:
            await run_in_threadpool(
                submissions.accept,
                settings.work_dir,
                settings.raw_dir,
                settings.archive_dir,
                staged,
                path,
            )
        except UnionWarehouseError as refused:
            raise HTTPException(409, str(refused)) from refused
        return RedirectResponse(f"/department?year={staged.year}&accepted=1", 303)

    async def template(request: Request) -> Response:
        account = _require(request)
        year, source = (
            _year(request.path_params["year"], settings.year),
            request.path_params["source"],
        )
        if source not in contract.sources:
            raise HTTPException(404, "未知的数据来源 / unknown source")
        owner = None if account.is_office else account.code
        with tempfile.TemporaryDirectory(prefix="unionwh-template-") as scratch:
            (path,) = write_templates(Path(scratch), year, source, owner)
            data = path.read_bytes()
        name = template_file_name(contract.tables_of(source)[0].zh, year, owner)
        return _download(data, name)

    async def office(request: Request) -> Response:
        account = _require(request)
        if not account.is_office:
            raise HTTPException(403, "仅工会办公室可见 / the union office's page")
        year = _year(request.query_params.get("year"), settings.year)
        status = await run_in_threadpool(
            year_status,
            year,
            settings.raw_dir,
            settings.marts_dir,
            settings.warehouse,
            settings.work_dir,
            accounts.expected_sources(settings.accounts_path),
        )
        names = {
            code: (department(code).name if department(code) else code)
            for code in {a.department for a in status.arrivals if a.department}
            | set(status.missing)
            | set(status.quarantine_counts)
            if code
        }
        return render(request, "office.html", year=year, status=status, names=names)

    async def quarantine(request: Request) -> Response:
        account = _require(request)
        year, code = _year(request.path_params["year"], settings.year), request.path_params["code"]
        if not account.is_office and account.code != code:
            raise HTTPException(403, "只能下载本部门的待改行 / only your department's rows")
        rows = department_quarantine(settings.marts_dir, year, code)
        if rows is None:
            raise HTTPException(404, "该年度尚未发布 / the year is not published")
        buffer = io.BytesIO()
        rows.write_excel(buffer, worksheet="待改正 to fix", autofit=True)
        return _download(buffer.getvalue(), f"{year}_待改正_{code}.xlsx")

    routes = [
        Route("/", home),
        Route("/signin", sign_in, methods=["POST"]),
        Route("/signout", sign_out, methods=["POST"]),
        Route("/department", department_page),
        Route("/upload", upload, methods=["POST"]),
        Route("/check/{staged_id:str}", checked),
        Route("/accept/{staged_id:str}", accept, methods=["POST"]),
        Route("/template/{year:int}/{source:str}", template),
        Route("/office", office),
        Route("/quarantine/{year:int}/{code:str}", quarantine),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(
                SessionMiddleware,
                secret_key=session_secret(settings.work_dir / "session.key"),
                session_cookie="unionwh_session",
                max_age=SESSION_HOURS * 3600,
                same_site="strict",
                https_only=False,
            )
        ],
        exception_handlers={HTTPException: _error_page},
    )
    return BodyLimit(app, settings.limits.upload_bytes)


async def _error_page(request: Request, error: HTTPException) -> Response:
    context = {"status": error.status_code, "detail": error.detail, "account": None, "csrf": ""}
    if error.status_code == 401:
        return RedirectResponse("/", 303)
    return TEMPLATES.TemplateResponse(request, "error.html", context, status_code=error.status_code)


def _account(request: Request) -> accounts.Account | None:
    code = request.session.get("account")
    signed_in = request.session.get("signed_in", 0)
    if not code or _now() - signed_in > SESSION_HOURS * 3600:
        return None
    return accounts.Account(code, code == accounts.OFFICE)


def _require(request: Request) -> accounts.Account:
    account = _account(request)
    if account is None:
        raise HTTPException(401, "请先登录 / sign in first")
    return account


def _sign_in_choices(settings: Settings) -> list[tuple[str, str]]:
    return [
        (code, accounts.Account(code, code == accounts.OFFICE).name)
        for code in accounts.account_codes(settings.accounts_path)
    ]


def _year(value: object, default: int) -> int:
    if value in (None, ""):
        return default
    text = str(value)
    # ASCII digits only: str.isdigit() passes "²", which int() cannot read
    if not (text.isascii() and text.isdigit()) or not 2000 <= int(text) <= 2100:
        raise HTTPException(400, "年度无效 / invalid year")
    return int(text)


def _now() -> int:
    return int(dt.datetime.now(dt.UTC).timestamp())


def _download(data: bytes, name: str) -> Response:
    from urllib.parse import quote

    disposition = f"attachment; filename*=UTF-8''{quote(name)}"
    return Response(data, media_type=XLSX_TYPE, headers={"Content-Disposition": disposition})
