"""`activities`: who took part in which sports, culture and group-purchase activity (culture office)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from pipelines.demo import cells as C
from pipelines.demo.context import STREAMING_ROWS, Context
from pipelines.demo.people import UNKNOWN_DEPARTMENTS, Member, dept_written
from pipelines.demo.workbook import BLANK, CsvFile, Plant, Row, Sheet, XlsxFile


@dataclass(frozen=True)
class Activity:
    name: str
    category: str
    month: int
    day: int
    n: int  # participants at scale 1
    pool: str  # staff | all | women | young
    roles: tuple[tuple[str, int], ...] = (("", 80), ("参赛", 20))
    results: tuple[str, ...] = ()


SPORTS = [
    Activity(
        "“凝聚奋进力量 展现教工风采”教职工排球赛（小组赛）",
        "排球",
        4,
        15,
        140,
        "staff",
        (("参赛", 85), ("组织", 5), ("", 10)),
    ),
    Activity(
        "“凝聚奋进力量 展现教工风采”教职工排球赛（决赛）",
        "排球",
        4,
        22,
        48,
        "staff",
        (("参赛", 90), ("组织", 10)),
        ("第一名", "第二名", "第三名", "第四名"),
    ),
    Activity(
        "教职工羽毛球团体赛",
        "羽毛球",
        5,
        20,
        160,
        "staff",
        (("参赛", 90), ("志愿者", 10)),
        ("一等奖", "二等奖", "三等奖"),
    ),
    Activity(
        "市教科文卫体工会职工羽毛球赛", "羽毛球", 6, 17, 12, "staff", (("参赛", 100),), ("第一名",)
    ),
    Activity(
        "教职工钓鱼比赛",
        "钓鱼",
        10,
        21,
        80,
        "all",
        (("参赛", 90), ("组织", 10)),
        ("一等奖", "二等奖", "三等奖", "优秀奖"),
    ),
    Activity(
        "教职工歌手大赛",
        "歌手大赛",
        5,
        26,
        240,
        "staff",
        (("观众", 80), ("参赛", 18), ("组织", 2)),
        ("一等奖", "二等奖", "三等奖"),
    ),
    Activity(
        "教职工舞蹈大赛",
        "舞蹈大赛",
        11,
        10,
        120,
        "staff",
        (("参赛", 90), ("组织", 10)),
        ("一等奖", "二等奖", "三等奖", "优秀奖"),
    ),
    Activity(
        "“师生联谊 运动传情”趣味运动会",
        "趣味运动会",
        9,
        15,
        420,
        "staff",
        (("", 70), ("参赛", 20), ("志愿者", 10)),
    ),
    Activity(
        "学校田径运动会（教工组）",
        "田径运动会",
        10,
        27,
        300,
        "staff",
        (("参赛", 90), ("志愿者", 10)),
        ("第一名", "第二名", "第三名"),
    ),
    Activity("冬季校园跑", "校园跑", 12, 8, 520, "staff", (("", 90), ("志愿者", 10))),
    Activity(
        "“服务基层、助推乡村振兴”教职工志愿者三下乡",
        "志愿服务",
        7,
        10,
        60,
        "staff",
        (("志愿者", 90), ("组织", 10)),
    ),
    Activity("教职工成长关爱中心心理健康讲座", "心理关爱", 3, 17, 90, "all", (("观众", 100),)),
    Activity("教职工成长关爱中心团体心理辅导", "心理关爱", 11, 17, 60, "staff", (("", 100),)),
    Activity("“美丽·魅力”女教职工手工课", "其他", 3, 8, 60, "women", (("", 100),)),
    Activity("单身教职工联谊活动", "其他", 5, 20, 50, "young", (("", 100),)),
    Activity("青年教职工户外拓展活动", "其他", 10, 14, 70, "young", (("", 90), ("组织", 10))),
    Activity(
        "重庆市高校专家教授运动会",
        "其他",
        11,
        4,
        22,
        "staff",
        (("参赛", 100),),
        ("一等奖", "二等奖", "三等奖"),
    ),
]
GROUP_PURCHASES = [
    Activity("年货送购上门", "团购", 1, 10, 360, "all"),
    Activity("教职工惠民团购", "团购", 3, 15, 240, "all"),
    Activity("“致敬劳动者”惠民展销", "团购", 4, 27, 280, "all"),
    Activity("端午粽子团购", "团购", 6, 15, 220, "all"),
    Activity("“献礼教师节”展销", "团购", 9, 8, 300, "all"),
    Activity("中秋月饼团购", "团购", 9, 20, 260, "all"),
    Activity(
        "教职工惠民团购", "团购", 10, 18, 230, "all"
    ),  # same name, another date: another purchase
    Activity("城口、昌宁农特产品团购", "团购", 11, 20, 200, "all"),
    Activity("冬季年货预订", "团购", 12, 12, 180, "all"),
]
SHEET_OF = {
    "排球": "排球赛",
    "羽毛球": "羽毛球赛",
    "钓鱼": "钓鱼比赛",
    "歌手大赛": "歌手大赛",
    "舞蹈大赛": "舞蹈大赛",
    "趣味运动会": "趣味运动会",
    "田径运动会": "田径运动会",
    "校园跑": "校园跑",
    "志愿服务": "志愿服务",
    "心理关爱": "心理关爱",
    "其他": "其他活动",
}
DATE_MESS = {"excel": 60, "iso": 15, "cn": 10, "dot": 10, "serial": 5}


def _pool(members: list[Member], pool: str, on: date) -> list[Member]:
    out = [m for m in members if m.active_on(on)]
    if pool == "staff":
        return [m for m in out if m.category != "离退休"]
    if pool == "women":
        return [m for m in out if m.gender == "女" and m.category != "离退休"]
    if pool == "young":
        return [m for m in out if m.category != "离退休" and m.age_on(on) <= 35]
    return out


def build(ctx: Context) -> list:
    y = ctx.year
    rng = ctx.rng("activities")
    members = ctx.roster.members
    n_gp = ctx.plan["activities.group_purchase.count"]
    if y == 2023:
        chosen_gp = [a for a in GROUP_PURCHASES if a.month not in (11, 12)]
    else:
        chosen_gp = sorted(rng.sample(GROUP_PURCHASES, n_gp), key=lambda a: (a.month, a.day))
    assert len(chosen_gp) == n_gp

    def participants(a: Activity) -> list[tuple[Member, str, str | None]]:
        on = date(y, a.month, a.day)
        pool = _pool(members, a.pool, on)
        people = rng.sample(pool, min(len(pool), a.n * ctx.scale))
        out = []
        for i, m in enumerate(people):
            role = C.pick(rng, dict(a.roles))
            result = (
                a.results[i % len(a.results)]
                if a.results and role == "参赛" and rng.random() < 0.25
                else None
            )
            out.append((m, role, result))
        return out

    sports = [(a, participants(a)) for a in SPORTS]
    purchases = [(a, participants(a)) for a in chosen_gp]
    for _, people in sports + purchases:
        ctx.facts.participants.update(m.staff_id for m, _, _ in people)
    ctx.figures["activities.group_purchase.count"] = len(
        {(a.name, a.month, a.day) for a, _ in purchases}
    )

    # Planted rows: a 工号 not in the roster, a department that does not exist, an activity dated
    # last December; and one accepted oddity: the bracketed alias of 马克思主义学院.
    staff_now = _pool(members, "staff", date(y, 12, 8))
    plants: dict[str, list] = {"校园跑": [], "趣味运动会": []}
    run = next(a for a in SPORTS if a.category == "校园跑")
    fun = next(a for a in SPORTS if a.category == "趣味运动会")
    in_run = {m.staff_id for m, _, _ in dict(sports)[run]}
    outsider = next(m for m in staff_now if m.staff_id not in in_run)
    plants["校园跑"].append(
        (
            "unknown_id",
            run,
            outsider,
            ctx.roster.unused_ids[1],
            Plant("unknown_staff_id", f"{ctx.roster.unused_ids[1]} is not in the roster"),
        )
    )
    last_dec = Activity(f"{y - 1}年冬季校园跑（补录）", "校园跑", 12, 29, 1, "staff")
    plants["校园跑"].append(
        (
            "last_year",
            last_dec,
            outsider,
            None,
            Plant("date_outside_year", f"活动日期 {y - 1}-12-29 is not in {y}"),
        )
    )
    in_fun = {m.staff_id for m, _, _ in dict(sports)[fun]}
    other = next(m for m in staff_now[::-1] if m.staff_id not in in_fun)
    plants["趣味运动会"].append(
        (
            "bad_dept",
            fun,
            other,
            None,
            Plant("unknown_department", f"部门 `{UNKNOWN_DEPARTMENTS[1]}` is no department"),
        )
    )
    marx = next((m for m, _, _ in dict(sports)[fun] if m.dept == "马克思主义学院"), None)

    head_a = ["序号", "活动名称", "活动类别", "活动日期", "工号", "姓名", "部门", "角色", "成绩"]
    head_b = [
        "序号",
        "活动名称",
        "活动类别",
        "活动日期",
        "教工号",
        "姓 名",
        "所在单位",
        "角色",
        "成绩",
    ]

    def rows(category: str) -> Iterator:
        srng = ctx.rng(f"activities/{category}")
        n = 0
        for a, people in sports:
            if a.category != category:
                continue
            if n:
                yield BLANK
            day_ = date(y, a.month, a.day)
            for m, role, result in people:
                n += 1
                dept = None if srng.random() < 0.6 else dept_written(srng, m.dept)
                plant = None
                if m is marx and a is fun:
                    dept = "马克思主义学院（思政课教学部）"
                    plant = Plant(
                        "clean", "部门 is an alias with full-width brackets: must map to marxism"
                    )
                yield Row(
                    [
                        n,
                        a.name,
                        a.category,
                        C.day(day_, C.pick(srng, DATE_MESS)),
                        C.staff_id(m.staff_id, C.pick(srng, C.ID_MESS)),
                        C.padded(m.name, C.pick(srng, C.TEXT_MESS)),
                        dept,
                        role or None,
                        result,
                    ],
                    plant=plant,
                )
        for kind, a, m, sid, plant in plants.get(category, []):
            n += 1
            dept = UNKNOWN_DEPARTMENTS[1] if kind == "bad_dept" else None
            yield Row(
                [
                    n,
                    a.name,
                    a.category,
                    C.day(date(y if kind != "last_year" else y - 1, a.month, a.day), "iso"),
                    sid or m.staff_id,
                    m.name,
                    dept,
                    None,
                    None,
                ],
                plant=plant,
            )

    big = sum(len(p) for _, p in sports) > STREAMING_ROWS
    sheets = []
    for i, (category, sheet_name) in enumerate(SHEET_OF.items()):
        sheets.append(
            Sheet(
                sheet_name,
                head_b if i % 3 == 2 else head_a,
                rows(category),
                titles=[f"西南大学工会{y}年文体活动参与登记（{sheet_name}）"],
                widths={1: 40, 3: 12, 6: 20},
            )
        )
    files: list = [XlsxFile(f"activities/{y}年文体活动参与登记.xlsx", sheets, constant_memory=big)]

    grng = ctx.rng("activities/purchase")
    gp_rows = []
    for a, people in purchases:
        day_ = date(y, a.month, a.day)
        for m, _, _ in people:
            gp_rows.append(
                Row(
                    [
                        a.name,
                        "团购",
                        C.day(day_, C.pick(grng, {"iso": 50, "slash": 40, "cn": 10})),
                        m.staff_id,
                        m.name,
                        None if grng.random() < 0.7 else dept_written(grng, m.dept),
                        None,
                        None,
                        grng.randint(1, 3),
                    ]
                )
            )
    files.append(
        CsvFile(
            f"activities/{y}年团购活动登记.csv",
            Sheet(
                "csv",
                [
                    "活动名称",
                    "活动类别",
                    "活动日期",
                    "工号",
                    "姓名",
                    "单位",
                    "角色",
                    "成绩",
                    "购买份数",
                ],
                gp_rows,
            ),
            encoding="utf-8",
        )
    )
    return files
