#!/usr/bin/env bash
# The machine's programs the report and the tests need, from Debian's packages (`make system-deps`).
#
# Checks what is there first; installs only what is missing (as root, or through `sudo -n`);
# checks again; exits 1 naming what is still missing. A machine it cannot install on fails here,
# loudly, rather than later as tests that skip.
set -euo pipefail

# package: what the tests look for
#   libpango-1.0-0 libpangoft2-1.0-0  the PDF report (WeasyPrint)
#   chromium                          screenshot tests (report, Dagster UI, submission page)
#   postgresql                        the federation warehouse's tests (initdb, pg_ctl)
#   libreoffice-*-nogui poppler-utils the Word report and marts.xlsx opened and printed
#   fonts-noto-cjk                    Chinese glyphs in those pictures
PACKAGES="libpango-1.0-0 libpangoft2-1.0-0 chromium postgresql"
PACKAGES_LEAN="libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils fonts-noto-cjk"

postgres_bindir() {
    if [ -n "${UNIONWH_PG_BINDIR:-}" ]; then echo "$UNIONWH_PG_BINDIR"; return; fi
    if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

missing_programs() {
    local missing=""
    [ -x /usr/bin/chromium ] || missing="$missing chromium(/usr/bin/chromium)"
    command -v soffice >/dev/null 2>&1 || missing="$missing soffice"
    [ -x /usr/bin/libreoffice ] || missing="$missing libreoffice(/usr/bin/libreoffice)"
    [ -x /usr/bin/pdftoppm ] || missing="$missing pdftoppm(/usr/bin/pdftoppm)"
    command -v pdftotext >/dev/null 2>&1 || missing="$missing pdftotext"
    local bindir
    bindir="$(postgres_bindir)"
    { [ -n "$bindir" ] && [ -x "$bindir/initdb" ] && [ -x "$bindir/pg_ctl" ]; } ||
        missing="$missing initdb+pg_ctl(PostgreSQL)"
    local libraries
    libraries="$(PATH="$PATH:/sbin:/usr/sbin" ldconfig -p 2>/dev/null || true)"
    { grep -q 'libpango-1.0.so.0' <<<"$libraries" && grep -q 'libpangoft2-1.0.so.0' <<<"$libraries"; } ||
        missing="$missing libpango"
    { command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh family 2>/dev/null)" ]; } ||
        missing="$missing CJK-font"
    echo "$missing"
}

# UNIONWH_ALLOW_SKIPS=1: the person asked for a partial test run; the tests that need a missing
# program skip (tests/system_tools.py), so go on
allow_partial_run() {
    if [ "${UNIONWH_ALLOW_SKIPS:-}" = 1 ]; then
        echo "system-deps: UNIONWH_ALLOW_SKIPS=1，部分运行 / a partial run: going on without them" >&2
        exit 0
    fi
}

install_packages() {
    local sudo=""
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo="sudo"
        else
            echo "system-deps: 缺少系统程序，且无权安装（需要 root 或 sudo） / missing programs and no right to install them (root or sudo needed):$1" >&2
            echo "system-deps: apt-get install $PACKAGES $PACKAGES_LEAN" >&2
            allow_partial_run
            exit 1
        fi
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "system-deps: 没有 apt-get，请用本机的包管理器安装 / no apt-get: install with this machine's package manager:$1" >&2
        allow_partial_run
        exit 1
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $PACKAGES >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $PACKAGES_LEAN >/dev/null
}

missing="$(missing_programs)"
if [ -z "$missing" ]; then
    echo "system-deps: 已齐全 / all present"
    exit 0
fi
echo "system-deps: 缺少，安装 / missing, installing:$missing"
install_packages "$missing"
missing="$(missing_programs)"
if [ -n "$missing" ]; then
    echo "system-deps: 安装后仍缺少 / still missing after installing:$missing" >&2
    allow_partial_run
    exit 1
fi
echo "system-deps: 已安装 / installed"
