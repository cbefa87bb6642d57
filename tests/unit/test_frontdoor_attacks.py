"""The submission page as an attacker sees it, over HTTP against the real application: every
attempt is refused and nothing is written under raw/ (nor staged)."""

from __future__ import annotations

import io
import zipfile

import pytest
from starlette.testclient import TestClient

from pipelines.errors import UnionWarehouseError
from pipelines.frontdoor import submissions
from pipelines.frontdoor.template import write_templates
from pipelines.frontdoor.uploads import Limits, clean_file_name
from pipelines.frontdoor.web.app import create_app
from tests.frontdoor_site import (
    DEPARTMENT,
    OTHER_DEPARTMENT,
    csrf_of,
    make_site,
    sign_in,
    signed_in,
)

LIMITS = Limits(upload_bytes=4 * 2**20, unzipped_bytes=64 * 2**20)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return make_site(tmp_path_factory.mktemp("frontdoor"), LIMITS)


@pytest.fixture(scope="module")
def template_bytes(tmp_path_factory) -> bytes:
    (path,) = write_templates(tmp_path_factory.mktemp("template"), 2023, "welfare")
    return path.read_bytes()


@pytest.fixture
def client(site):
    before = site.raw_files()
    with TestClient(create_app(site.settings), follow_redirects=False) as client:
        yield client
    assert site.raw_files() == before, "an attack wrote under raw/"
    assert site.staged_files() == [], "an attack left a staged file"


def upload(client: TestClient, name: str, data: bytes, csrf: str | None = "from-page"):
    form = {"year": "2023", "source": "welfare"}
    if csrf == "from-page":
        form["csrf"] = csrf_of(client)
    elif csrf is not None:
        form["csrf"] = csrf
    return client.post("/upload", data=form, files={"files": (name, data)})


def test_no_code_no_upload_and_no_pages(client, template_bytes):
    response = upload(client, "慰问.xlsx", template_bytes)
    assert response.status_code == 303 and response.headers["location"] == "/"
    for page in ("/department", "/office", "/quarantine/2023/marxism", "/template/2023/welfare"):
        assert client.get(page).status_code == 303, page


def test_wrong_code_is_refused(client, site, template_bytes):
    response = sign_in(client, DEPARTMENT, site.codes[DEPARTMENT][:-1] + "x")
    assert response.status_code == 401
    assert "访问码不正确" in response.text
    assert upload(client, "慰问.xlsx", template_bytes).status_code == 303  # still signed out


def test_another_departments_code_is_refused(client, site, template_bytes):
    assert sign_in(client, DEPARTMENT, site.codes[OTHER_DEPARTMENT]).status_code == 401
    assert sign_in(client, "office", site.codes[DEPARTMENT]).status_code == 401
    assert upload(client, "慰问.xlsx", template_bytes).status_code == 303
    signed_in(client, site, OTHER_DEPARTMENT)  # and signed in, another's pages stay closed
    assert client.get(f"/quarantine/2023/{DEPARTMENT}").status_code == 403
    assert client.get("/office").status_code == 403
    assert client.get("/check/" + "ab" * 12).status_code == 404


@pytest.mark.parametrize(
    "name", ["../../../evil.xlsx", "..\\..\\evil.xlsx", "/etc/cron.d/evil.xlsx", "a/../../b.xlsx"]
)
def test_traversal_file_name_is_refused(client, site, template_bytes, name):
    response = upload(signed_in(client, site), name, template_bytes)
    assert response.status_code == 400
    assert "文件名不能包含路径" in response.text
    root = site.settings.raw_dir.parent
    assert not list(root.rglob("evil.xlsx")) and not list(root.rglob("b.xlsx"))


def zip_bomb(unzipped_mib: int, zip64: bool = True) -> bytes:
    """A workbook-shaped zip with one member of `unzipped_mib` MiB of zeros (about 1/1000 of it
    compressed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open(BOMB_MEMBER, "w", force_zip64=zip64) as stream:
            chunk = b"\0" * 2**20
            for _ in range(unzipped_mib):
                stream.write(chunk)
    return buffer.getvalue()


BOMB_MEMBER = "xl/worksheets/sheet1.xml"


def test_xlsx_that_unzips_to_a_gigabyte_is_refused(client, site):
    bomb = zip_bomb(1024)
    assert (
        len(bomb) < LIMITS.upload_bytes
    )  # it passes the upload limit: only the unzip check stops it
    response = upload(signed_in(client, site), "慰问.xlsx", bomb)
    assert response.status_code == 400
    assert "解压后超过" in response.text


def lying_about_its_size(bomb: bytes, declared: int) -> bytes:
    """The bomb with the member's uncompressed size in its local header and its central directory
    entry replaced by `declared` (sizes at bytes 22 and 24 after the signatures)."""
    data = bytearray(bomb)
    name = BOMB_MEMBER.encode()
    local = data.index(b"PK\x03\x04", data.index(name) - 30)
    assert data[local + 30 : local + 30 + len(name)] == name
    central = data.rindex(b"PK\x01\x02", 0, data.rindex(name))
    assert data[central + 46 : central + 46 + len(name)] == name
    data[local + 22 : local + 26] = declared.to_bytes(4, "little")
    data[central + 24 : central + 28] = declared.to_bytes(4, "little")
    return bytes(data)


def test_xlsx_that_lies_about_its_unzipped_size_is_refused(client, site):
    bomb = lying_about_its_size(zip_bomb(96, zip64=False), declared=1000)
    declared = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(bomb)).infolist())
    assert declared < 2000  # the declared sizes pass the limit: only unzipping finds 96 MiB
    response = upload(signed_in(client, site), "慰问.xlsx", bomb)
    assert response.status_code == 400
    assert "解压后超过" in response.text


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("慰问.xlsx", b"\x89PNG\r\n\x1a\n" + b"\0" * 2000),  # a picture named as a workbook
        ("慰问.xls", b"\x7fELF\x02\x01\x01" + b"\0" * 2000),  # a program
        ("慰问.csv", b"\x00\x01\x02binary\x00"),
        ("说明.docx", b"PK\x03\x04" + b"\0" * 100),
        ("慰问.exe", b"MZ\x90\x00"),
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused(client, site, name, data):
    response = upload(signed_in(client, site), name, data)
    assert response.status_code == 400
    assert "不是" in response.text  # 不是电子表格 / 不是 Excel 工作簿


def test_a_docx_renamed_xlsx_is_refused(client, site, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    response = upload(signed_in(client, site), "慰问.xlsx", buffer.getvalue())
    assert response.status_code == 400
    assert "不是 Excel 工作簿" in response.text


def test_a_form_without_its_csrf_token_is_refused(client, site, template_bytes):
    signed_in(client, site)
    assert upload(client, "慰问.xlsx", template_bytes, csrf=None).status_code == 403
    assert upload(client, "慰问.xlsx", template_bytes, csrf="forged").status_code == 403
    other = TestClient(create_app(site.settings), follow_redirects=False)
    assert upload(client, "慰问.xlsx", template_bytes, csrf=csrf_of(other)).status_code == 403
    no_token = {"department": DEPARTMENT, "access_code": site.codes[DEPARTMENT]}
    assert client.post("/signin", data=no_token).status_code == 403
    assert client.post("/signout", data={}).status_code == 403
    assert client.get("/department").status_code == 200  # still signed in: nothing happened


def test_a_cross_site_post_is_refused_even_with_the_token(client, site, template_bytes):
    csrf = csrf_of(signed_in(client, site))
    response = client.post(
        "/upload",
        data={"year": "2023", "source": "welfare", "csrf": csrf},
        files={"files": ("慰问.xlsx", template_bytes)},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403


def test_an_upload_over_the_size_limit_is_refused(client, site):
    response = upload(signed_in(client, site), "慰问.csv", b"a,b\n" * (LIMITS.upload_bytes // 4))
    assert response.status_code == 413


def test_access_codes_are_stored_hashed(site):
    stored = site.settings.accounts_path.read_text()
    assert all(secret not in stored for secret in site.codes.values())
    assert '"hash"' in stored and '"salt"' in stored


@pytest.mark.parametrize("year", ["²⁰²³", "２０２３", "2023/../2024", "-2023"])
def test_a_year_that_is_not_ascii_digits_is_refused(client, site, template_bytes, year):
    form = {"year": year, "source": "welfare", "csrf": csrf_of(signed_in(client, site))}
    response = client.post("/upload", data=form, files={"files": ("慰问.xlsx", template_bytes)})
    assert response.status_code == 400
    assert "年度无效" in response.text


def test_a_long_chinese_file_name_is_cut_to_what_the_file_system_takes():
    name = clean_file_name("工会会员慰问金发放明细" * 20 + ".xlsx")
    assert len(name.encode()) <= 255 and name.endswith(".xlsx")
    assert name.startswith("工会会员慰问金发放明细")


def stage_checked(work_dir, data: bytes, department: str = DEPARTMENT):
    """A file staged with its check as the upload leaves it (without running the check)."""
    staged_id, path = submissions.stage(work_dir, data, department, 2023, "welfare", "慰问.xlsx")
    staged = submissions.Staged(
        staged_id, department, 2023, "welfare", "慰问.xlsx", "0" * 64, len(data),
        rows=1, rows_clean=1, ok=True, readable=True, problems=[],
    )  # fmt: skip
    submissions.save_check(work_dir, staged)
    return staged, path


def test_another_departments_staged_file_can_be_neither_seen_nor_accepted(
    client, site, template_bytes
):
    staged, path = stage_checked(site.settings.work_dir, template_bytes, DEPARTMENT)
    try:
        signed_in(client, site, OTHER_DEPARTMENT)
        assert client.get(f"/check/{staged.staged_id}").status_code == 404
        accept = client.post(f"/accept/{staged.staged_id}", data={"csrf": csrf_of(client)})
        assert accept.status_code == 404
        assert path.exists()  # still the department's, staged
    finally:
        submissions.discard(site.settings.work_dir, staged.staged_id)


def test_a_symbolic_link_in_raw_is_not_written_through(tmp_path, template_bytes):
    raw, elsewhere, work = tmp_path / "raw", tmp_path / "elsewhere", tmp_path / "work"
    elsewhere.mkdir()
    (raw / "2023" / "welfare").mkdir(parents=True)
    (raw / "2023" / "welfare" / DEPARTMENT).symlink_to(elsewhere, target_is_directory=True)
    staged, path = stage_checked(work, template_bytes)
    with pytest.raises(UnionWarehouseError, match="符号链接"):
        submissions.accept(work, raw, tmp_path / "archive", staged, path)
    assert list(elsewhere.iterdir()) == []
    assert not (tmp_path / "archive").exists() and not (work / submissions.LEDGER).exists()
    assert path.exists()  # still staged: nothing lost
