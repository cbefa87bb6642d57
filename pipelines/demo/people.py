"""The simulated university: its departments and its union members, all synthetic.

Names are drawn from common surnames and given-name characters; 身份证号 are 18 characters with a
valid check digit (so the last one is sometimes `X`) but random region, date and sequence; 手机号
are 11 digits on real mobile prefixes. None of them belongs to anyone.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from pipelines.demo.cells import pick

# (full name, aliases, weight). The same departments, codes and aliases as `departments.csv`, the
# department table the warehouse ships; the weights are this generator's own (members per ~6,000).
DEPARTMENTS: list[tuple[str, tuple[str, ...], int]] = [
    ("马克思主义学院", ("马院", "马克思主义学院（思政课教学部）"), 130),
    ("教育学部", ("教育学院",), 340),
    ("教师教育学院", (), 90),
    ("心理学部", ("心理学院",), 110),
    ("文学院", (), 260),
    ("外国语学院", ("外语学院",), 230),
    ("新闻传媒学院", ("新传学院",), 120),
    ("美术学院", ("美院",), 150),
    ("音乐学院", (), 140),
    ("体育学院", ("体院",), 160),
    ("经济管理学院", ("经管学院", "经管院"), 220),
    ("法学院", (), 110),
    ("国家治理学院", (), 90),
    ("历史文化学院", ("历史学院",), 100),
    ("数学与统计学院", ("数统学院", "数学学院"), 170),
    ("物理科学与技术学院", ("物理学院", "物理科技学院"), 150),
    ("化学化工学院", ("化学学院",), 190),
    ("生命科学学院", ("生科院",), 200),
    ("地理科学学院", ("地科院",), 160),
    ("资源环境学院", ("资环学院",), 170),
    ("电子信息工程学院", ("电信学院",), 130),
    ("计算机与信息科学学院", ("计信院", "软件学院"), 190),
    ("材料与能源学院", ("材能学院",), 150),
    ("工程技术学院", ("工技院",), 170),
    ("农学与生物科技学院", ("农学与生物技术学院", "农学院", "农生院"), 200),
    ("园艺园林学院", ("园艺学院",), 150),
    ("植物保护学院", ("植保学院",), 120),
    ("动物科学技术学院", ("动科院",), 150),
    ("食品科学学院", ("食品学院", "食品"), 130),
    ("蚕桑纺织与生物质科学学院", ("蚕纺学院",), 140),
    ("药学院", (), 90),
    ("含弘学院", (), 25),
    ("西塔学院", ("西塔",), 40),
    ("柑桔研究所", ("柑研所", "中国农业科学院柑桔研究所"), 110),
    ("图书馆", (), 120),
    ("出版社", ("西南大学出版社",), 60),
    ("期刊社", (), 35),
    ("后勤保障部", ("后勤",), 320),
    ("校医院", ("西南大学医院",), 90),
    ("人事处", ("人事部",), 35),
    ("财务处", ("财务部",), 45),
    ("校工会", ("工会",), 15),
    ("党委办公室、校长办公室", ("党办校办", "校办"), 40),
    ("附属中学", ("附中",), 110),
    ("离退休工作处", ("离退休处",), 20),
]
DEPT_ALIASES = {name: aliases for name, aliases, _ in DEPARTMENTS}
OFFICIAL_NAME = {written: name for name, aliases, _ in DEPARTMENTS for written in (name, *aliases)}
RETIREE_DEPT = "离退休工作处"
# Offices that handle proposals (承办/协办), and the aliases clerks use for them.
FUNCTIONAL = [
    "人事处",
    "财务处",
    "后勤保障部",
    "党委办公室、校长办公室",
    "图书馆",
    "校医院",
    "附属中学",
    "离退休工作处",
    "校工会",
    "教师教育学院",
    "体育学院",
    "出版社",
]
# Names that are not departments at all: planted rows carry one and must be quarantined.
UNKNOWN_DEPARTMENTS = ["网络信息中心", "国际合作处（港澳台办）", "继续教育学院"]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
MALE_CHARS = (
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林阳建亮成峰国志永兴海春德庆东"
)
FEMALE_CHARS = "芳娜敏静丽艳娟霞秀燕玲桂丹萍红琳雪梅婷颖倩洁慧佳玉晶莉琴云凤兰蓉璐瑶怡欣悦雯洁"
NEUTRAL_CHARS = "文晓思雨子嘉一诗书安晨博睿清若明小新家立泽"
REGIONS = [
    "500101",
    "500102",
    "500103",
    "500105",
    "500106",
    "500107",
    "500108",
    "500109",
    "500112",
    "500113",
    "500115",
    "500118",
    "500222",
    "500229",
    "500234",
    "510104",
    "510107",
    "511302",
    "520102",
    "530102",
    "430102",
    "420102",
    "610113",
    "410105",
    "370102",
    "360102",
]
MOBILE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "173",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
]


def person_name(rng: random.Random, gender: str) -> str:
    pool = MALE_CHARS if gender == "男" else FEMALE_CHARS
    surname = rng.choice(SURNAMES[:40]) if rng.random() < 0.7 else rng.choice(SURNAMES)
    if rng.random() < 0.3:
        return surname + rng.choice(pool)
    first = rng.choice(pool + NEUTRAL_CHARS)
    return surname + first + rng.choice(pool)


def id_card(rng: random.Random, birth: date, gender: str) -> str:
    seq = rng.randrange(0, 500) * 2 + (1 if gender == "男" else 0)
    body = f"{rng.choice(REGIONS)}{birth:%Y%m%d}{seq:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
    return body + check


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def dept_written(rng: random.Random, dept: str, alias_share: float = 0.12) -> str:
    """A department as a clerk writes it: mostly the full name, sometimes a short or old name."""
    aliases = [a for a in DEPT_ALIASES[dept] if "（" not in a]
    if aliases and rng.random() < alias_share:
        return rng.choice(aliases)
    return dept


@dataclass(slots=True)
class Member:
    staff_id: str
    name: str
    gender: str
    dept: str
    birth: date
    joined: date
    category: str  # 在编 / 编制外 / 离退休
    veteran: bool
    id_card: str
    mobile: str
    status: str  # "" (在册, often left blank), 退会, 去世
    status_date: date | None
    recently_retired: bool = False

    def active_on(self, d: date) -> bool:
        """A member on day `d`: joined by then, not yet left or dead."""
        if self.joined > d:
            return False
        return self.status_date is None or d < self.status_date

    def age_on(self, d: date) -> int:
        return d.year - self.birth.year - ((d.month, d.day) < (self.birth.month, self.birth.day))


@dataclass
class Roster:
    members: list[Member]
    id_width: int
    unused_ids: list[str]  # plausible 工号 that are not in the roster (for planted rows)

    def by_category(self, *categories: str) -> list[Member]:
        return [m for m in self.members if m.category in categories]


def _rand_date(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _birth_for(rng: random.Random, year: int, lo_age: int, hi_age: int) -> date:
    return _rand_date(rng, date(year - hi_age, 1, 1), date(year - lo_age, 12, 31))


def build_roster(
    rng: random.Random,
    year: int,
    scale: int,
    *,
    veterans: int,
    recent_retirees: int,
    deaths_paid: int,
) -> Roster:
    """About 6,000 × scale members who belonged to the union at some time in `year`.

    `veterans` members (all present the whole year) carry 退役军人 = 是; `recent_retirees` members retired
    during the fiscal window (they get 退休慰问); `deaths_paid` members died between January and
    August (their families get 去世慰问 under the member's 工号).
    """
    n = round(6000 * scale * rng.uniform(1.0, 1.03))
    dept_names = [d for d, _, _ in DEPARTMENTS]
    dept_weights = [w for _, _, w in DEPARTMENTS]
    y0 = date(year, 1, 1)
    members: list[Member] = []
    for _ in range(n):
        category = pick(rng, {"在编": 55, "编制外": 15, "离退休": 30})
        gender = "男" if rng.random() < (0.52 if category != "编制外" else 0.45) else "女"
        if category == "在编":
            birth = _birth_for(rng, year, 24, 59)
        elif category == "编制外":
            birth = _birth_for(rng, year, 22, 55)
        else:
            birth = _birth_for(rng, year, 60, 92)
        start = max(date(birth.year + 22, 9, 1), date(1978, 9, 1))
        end = date(year - 1, 12, 31)
        if category == "离退休":  # joined while still at work
            end = min(end, date(birth.year + 58, 12, 31))
        joined = _rand_date(rng, start, end) if start < end else y0
        dept = rng.choices(dept_names, dept_weights)[0]
        if category == "离退休" and rng.random() < 0.4:
            dept = RETIREE_DEPT
        members.append(
            Member(
                "",
                person_name(rng, gender),
                gender,
                dept,
                birth,
                joined,
                category,
                False,
                "",
                "",
                "",
                None,
            )
        )

    # New staff who joined this year.
    in_service = [m for m in members if m.category != "离退休"]
    for m in rng.sample(in_service, k=round(len(in_service) * 0.03)):
        m.birth = _birth_for(rng, year, 24, 35)
        m.joined = _rand_date(rng, y0, date(year, 11, 30))

    # Recently retired: born so they turned 60 in the window; they joined long ago.
    retirees = [m for m in members if m.category == "离退休"]
    recent = rng.sample(retirees, k=recent_retirees)
    for m in recent:
        m.birth = _birth_for(rng, year, 60, 61)
        m.joined = _rand_date(rng, date(year - 35, 1, 1), date(year - 15, 12, 31))
        m.recently_retired = True

    # Left the union or died during the year (never the veterans or the recently retired).
    eligible = [m for m in members if not m.recently_retired and m.joined < y0]
    old = [m for m in eligible if m.category == "离退休" and m.birth.year <= year - 75]
    dead = rng.sample(old, k=deaths_paid + max(1, round(deaths_paid * 0.4)))
    for i, m in enumerate(dead):
        m.status = "去世"
        last = date(year, 8, 31) if i < deaths_paid else date(year, 12, 20)
        first = y0 if i < deaths_paid else date(year, 9, 20)
        m.status_date = _rand_date(rng, first, last)
    quitters = [m for m in eligible if m.category != "离退休" and not m.status]
    for m in rng.sample(quitters, k=max(1, round(n * 0.005))):
        m.status = "退会"
        m.status_date = _rand_date(rng, date(year, 2, 1), date(year, 12, 15))

    stay = [
        m
        for m in members
        if not m.status and m.joined < y0 and not m.recently_retired and m.category != "编制外"
    ]
    men = [m for m in stay if m.gender == "男"]
    women = [m for m in stay if m.gender == "女"]
    n_men = min(len(men), round(veterans * 0.85))
    for m in rng.sample(men, k=n_men) + rng.sample(women, k=veterans - n_men):
        m.veteran = True

    # 工号 follow joining order with gaps (numbers of staff who left long ago).
    members.sort(key=lambda m: (m.joined, m.birth))
    width = max(5, len(str(int(n * 1.4) + 200)))
    number = 100
    used: set[int] = set()
    gaps: list[int] = []
    for m in members:
        step = 1 if rng.random() < 0.8 else rng.randint(2, 4)
        gaps.extend(range(number + 1, number + step))
        number += step
        used.add(number)
        m.staff_id = f"GH{number:0{width}d}"
        m.id_card = id_card(rng, m.birth, m.gender)
        m.mobile = mobile(rng)
        m.status = m.status or ("在册" if rng.random() < 0.7 else "")
    unused = [f"GH{g:0{width}d}" for g in rng.sample(gaps, k=min(20, len(gaps)))]
    return Roster(members, width, unused)
