"""The small sources: `publicity` (posts), `meetings` (meetings held) and `budget` (budget lines)."""

from __future__ import annotations

import math
import random
import string
from datetime import date
from decimal import Decimal

from pipelines.demo import cells as C
from pipelines.demo.context import Context, workday
from pipelines.demo.people import DEPARTMENTS
from pipelines.demo.workbook import Plant, Row, Sheet, XlsxFile

CHANNELS = {  # channel -> figure key
    "微信公众号": "publicity.wechat.posts",
    "上级工会报送": "publicity.upper_union.reports",
    "工会快讯": "publicity.news_flash.posts",
    "基层动态": "publicity.grassroots.posts",
    "社团风采": "publicity.clubs.posts",
    "通知公告": "publicity.notices.posts",
}
EVENTS = [
    "新年慰问送温暖",
    "开展“三八”节系列活动",
    "举办教职工排球赛",
    "召开教代会执委会会议",
    "开展劳模名师宣讲活动",
    "组织教职工疗休养",
    "举办羽毛球团体赛",
    "开展“金点子”合理化建议征集",
    "举办歌手大赛",
    "开展“七一”走访慰问",
    "开展志愿者三下乡活动",
    "开展教师节走访慰问",
    "举办趣味运动会",
    "开展专兼职干部培训",
    "举办钓鱼比赛",
    "开展心理健康讲座",
    "举办舞蹈大赛",
    "开展模范职工小家创建",
    "组织年度体检",
    "开展惠民展销活动",
    "召开提案工作委员会会议",
    "开展定点帮扶消费帮扶",
    "举办单身教职工联谊",
    "开展女教职工手工课",
]
CLUBS = [
    "教职工羽毛球协会",
    "教职工摄影协会",
    "教职工合唱团",
    "教职工书画协会",
    "教职工钓鱼协会",
    "教职工太极拳协会",
    "教职工登山协会",
]
NOTICES = [
    "开展{y}年新年慰问工作",
    "报送{y}年会员生日名单",
    "组织教职工参加{y}年度体检",
    "开展{y}年“金点子”合理化建议征集活动",
    "举办{y}年教职工排球赛",
    "举办{y}年教职工羽毛球团体赛",
    "申报{y}年模范职工小家",
    "做好{y}年会员信息核对",
    "开展{y}年教职工疗休养",
    "组织{y}年教职工歌手大赛",
    "举办{y}年教职工钓鱼比赛",
    "征集第四届教代会第三次会议提案",
    "做好{y}年端午节慰问金发放",
    "开展{y}年复转军人慰问",
    "组织{y}年教职工舞蹈大赛",
    "举办{y}年趣味运动会",
    "开展{y}年教师节走访慰问",
    "做好{y}年中秋国庆节慰问金发放",
    "开展{y}年团购活动",
    "召开{y}年工会委员会会议",
    "组织{y}年校园跑活动",
    "报送{y}年度工会工作总结",
    "开展{y}年专兼职干部培训",
    "做好{y}年临时困难补助申报",
    "开展{y}年会员评家工作",
    "组织参加市教科文卫体职工羽毛球赛",
    "开展{y}年单身教职工联谊活动",
    "开展{y}年青年教职工户外拓展",
    "开展{y}年心理健康讲座",
    "做好{y}年伤残保健金发放",
    "开展{y}年女教职工手工课",
    "组织开展{y}年三下乡志愿服务",
    "做好{y}年特别困难补助申报",
    "开展{y}年惠民展销活动",
    "举办{y}年田径运动会教工组比赛",
]


def _titles(rng: random.Random, channel: str, n: int, y: int) -> list[str]:
    if channel == "微信公众号":
        return [f"【教工之家】第{i}期｜{rng.choice(EVENTS)}" for i in range(1, n + 1)]
    if channel == "上级工会报送":
        return [f"西南大学工会{e}（报送市教科文卫体工会）" for e in rng.sample(EVENTS, n)]
    if channel == "工会快讯":
        return [f"工会快讯（{y}年第{i}期）：{rng.choice(EVENTS)}" for i in range(1, n + 1)]
    if channel == "基层动态":
        depts = [d for d, _, _ in DEPARTMENTS if d not in ("校工会",)]
        return [f"{d}分工会{rng.choice(EVENTS)}" for d in rng.sample(depts, n)]
    if channel == "社团风采":
        return [
            f"{c}开展{rng.choice(['年度展演', '交流活动', '公开课', '友谊赛'])}"
            for c in rng.sample(CLUBS, n)
        ]
    return [f"关于{t.format(y=y)}的通知" for t in rng.sample(NOTICES, n)]


def publicity(ctx: Context) -> list[XlsxFile]:
    y = ctx.year
    rng = ctx.rng("publicity")
    posts = []
    for channel, key in CHANNELS.items():
        n = ctx.plan[key]
        titles = _titles(rng, channel, n, y)
        dates = sorted(workday(rng, date(y, 1, 4), date(y, 11, 29)) for _ in range(n))
        if channel == "微信公众号":
            dates[-1] = date(y, 11, 30)  # the summary was written that day
        for i, (d, t) in enumerate(zip(dates, titles, strict=True), start=1):
            if channel == "微信公众号":
                link = "https://mp.weixin.qq.com/s/" + "".join(
                    rng.choice(string.ascii_letters + string.digits + "-_") for _ in range(22)
                )
            elif rng.random() < 0.7:
                link = f"https://gh.swu.edu.cn/info/{1011 + list(CHANNELS).index(channel)}/{5000 + i * 7}.htm"
            else:
                link = None
            posts.append((d, channel, t, link))
        ctx.figures[key] = n
    posts.sort(key=lambda p: (p[0], list(CHANNELS).index(p[1])))
    first = [p for p in posts if p[0].month <= 6]
    second = [p for p in posts if p[0].month > 6]
    # The second file starts with the last June post again: the same post (a duplicate, counts once).
    again = first[-1]
    mess = {"excel": 60, "iso": 10, "slash": 10, "dot": 10, "cn": 10}
    a_rows = [
        Row([i, C.day(d, C.pick(rng, mess)), ch, t, link])
        for i, (d, ch, t, link) in enumerate(first, start=1)
    ]
    b_rows = [
        Row(
            [C.day(again[0], "cn"), again[1], " " + again[2], again[3], "宣传委员"],
            plant=Plant("duplicate", "the last post of the 1-6月 file, listed again"),
        )
    ]
    b_rows += [
        Row(
            [C.day(d, C.pick(rng, mess)), ch, t, link, rng.choice(["宣传委员", "工会办公室", None])]
        )
        for d, ch, t, link in second
    ]
    return [
        XlsxFile(
            f"publicity/宣传信息统计_{y}年1-6月.xlsx",
            [
                Sheet(
                    "宣传信息",
                    ["序号", "发布日期", "渠道", "标题", "链接"],
                    a_rows,
                    titles=[f"西南大学工会{y}年上半年宣传信息统计"],
                    widths={1: 12, 3: 50, 4: 45},
                )
            ],
        ),
        XlsxFile(
            f"publicity/宣传信息统计_{y}年7-11月.xlsx",
            [
                Sheet(
                    # Names are data: a sheet name that would break SQL built with string formatting.
                    "x'; DROP TABLE members;--",
                    ["发布日期", "渠 道", "标题", "链接", "编辑"],
                    b_rows,
                    titles=[f"西南大学工会{y}年下半年宣传信息统计（截至11月30日）"],
                    widths={0: 12, 2: 50, 3: 45},
                )
            ],
        ),
    ]


MEETING_TYPES = {  # type -> (figure key, name pattern)
    "工会委员会": ("meetings.union_committee.count", "第{n}次工会委员会会议"),
    "教代会执委会": ("meetings.congress_executive.count", "第四届教代会执行委员会第{n}次会议"),
    "提案工作委员会": ("meetings.proposal_committee.count", "提案工作委员会第{n}次会议"),
}


def meetings(ctx: Context) -> list[XlsxFile]:
    y = ctx.year
    rng = ctx.rng("meetings")
    plan = ctx.plan
    rows = []
    for mtype, (key, pattern) in MEETING_TYPES.items():
        n = plan[key]
        months = sorted(rng.sample(range(1, 13), n))
        for i, month in enumerate(months, start=1):
            d = workday(rng, date(y, month, 3), date(y, month, 26))
            rows.append([d, mtype, pattern.format(n=i), 0])
        ctx.figures[key] = n
    rows.append([date(y, 3, 16), "教代会", "第四届教职工代表大会第三次会议", 0])
    rows.append([date(y, 3, 16), "工代会", "第四届工会会员代表大会第三次会议", 0])
    rows.append([date(y, 12, 20), "教代会", "第四届教职工代表大会第四次会议", 0])
    rows.append([date(y, 12, 20), "工代会", "第四届工会会员代表大会第四次会议", 0])
    # 审议文件数: the congress reviews its reports; the committees review the rest.
    docs = plan["meetings.documents_reviewed"]
    congress = next(r for r in rows if r[1] == "教代会" and r[0].month == 3)
    congress[3] = min(4, docs)
    committees = [r for r in rows if r[1] in ("工会委员会", "教代会执委会")]
    for _ in range(docs - congress[3]):
        rng.choice(committees)[3] += 1
    ctx.figures["meetings.documents_reviewed"] = sum(r[3] for r in rows)
    rows.sort(key=lambda r: (r[0], r[1]))
    mess = {"excel": 50, "cn": 20, "iso": 10, "dot": 10, "slash": 10}
    out = []
    for i, (d, mtype, name, n_docs) in enumerate(rows, start=1):
        out.append(
            Row(
                [
                    i,
                    C.day(d, C.pick(rng, mess)),
                    mtype,
                    name,
                    n_docs if n_docs or rng.random() < 0.5 else None,
                    rng.choice(
                        ["校工会会议室", "行政楼第三会议室", "学术报告厅", "工会二楼会议室"]
                    ),
                ]
            )
        )
    return [
        XlsxFile(
            f"meetings/{y}年会议记录.xlsx",
            [
                Sheet(
                    "会议记录",
                    ["序号", "会议日期", "会议类型", "会议名称", "审议文件数", "会议地点"],
                    out,
                    titles=[f"西南大学工会{y}年会议记录"],
                    sum_cols=(4,),
                    total_label="合计",
                    footers=["制表人：王静        审核人：李建平"],
                    widths={1: 12, 3: 36, 5: 18},
                )
            ],
        )
    ]


def budget(ctx: Context) -> list[XlsxFile]:
    """Budget lines in 万元: a little above what was spent, rounded up to half a 万."""
    y = ctx.year
    rng = ctx.rng("budget")
    f, plan = ctx.figures, ctx.plan
    life = plan["life_counts"]
    spent = {
        "新年慰问": f["welfare.new_year.amount"],
        "七一走访": f["welfare.july_first.amount"],
        "援疆援藏家属慰问": f["welfare.frontier_families.amount"],
        "教师节走访": f["welfare.teachers_day.amount"],
        "结婚慰问": life["结婚慰问"] * 500,
        "生育慰问": life["生育慰问"] * 500,
        "退休慰问": life["退休慰问"] * 1000,
        "去世慰问": sum(plan["bereavement"].values()) * 1000,
        "大运会慰问": f["welfare.universiade.amount"],
        "复转军人慰问": f["welfare.veterans.amount"],
        "伤残保健金": f["welfare.disability_care.amount"],
        "特别困难补助": f["hardship.special.amount"],
        "临时困难补助": f["hardship.temporary.amount"],
        "节日慰问金": f["festival.amount"],
        "生日蛋糕": f["birthday.amount"],
        "定点帮扶": f["alleviation.chengkou.amount"] + f["alleviation.changning.amount"],
        "文体活动": Decimal(600000),
    }
    rows = []
    lines = [(cat, amount) for cat, amount in spent.items() if amount or cat != "大运会慰问"]
    for i, (cat, amount) in enumerate(lines, start=1):
        wan = Decimal(math.ceil(float(amount) * rng.uniform(1.0, 1.08) / 5000)) / 2
        rows.append(Row([i, cat, C.number(wan), None]))
    rows[-1].cells[3] = "含教职工社团经费"
    return [
        XlsxFile(
            f"budget/{y}年工会经费预算.xlsx",
            [
                Sheet(
                    "预算",
                    ["序号", "预算类别", "预算金额（万元）", "备注"],
                    rows,
                    titles=[f"西南大学工会{y}年经费预算（慰问与活动部分）"],
                    sum_cols=(2,),
                    total_label="合计",
                    footers=["备注：本表经工会委员会审议通过。"],
                )
            ],
        )
    ]
