"""`proposals`: faculty congress (教代会) and union congress (工代会) proposals, exported several times.

Each export is a full snapshot of the proposal system on its day; statuses move from 未办理 to 办理中
to 已办结 between exports, and one withdrawn proposal is missing from the last export. The year's
figures come from the latest export.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta

from pipelines.demo import cells as C
from pipelines.demo.context import Context, workday
from pipelines.demo.people import DEPT_ALIASES, FUNCTIONAL, person_name
from pipelines.demo.workbook import Plant, Row, Sheet, XlsxFile

VERBS = [
    "进一步完善",
    "加强",
    "优化",
    "切实提高",
    "改善",
    "规范",
    "加快推进",
    "建立健全",
    "统筹解决",
    "适当增加",
]
OBJECTS = [
    "教职工停车管理",
    "青年教师周转房保障",
    "教职工子女入学服务",
    "校园班车线路",
    "教职工食堂服务质量",
    "教职工年度体检项目",
    "校医院门诊服务",
    "图书馆数字资源建设",
    "实验室安全管理",
    "青年教师科研启动经费",
    "编制外人员薪酬待遇",
    "离退休教职工活动场所",
    "教职工健身场馆开放时间",
    "校园快递收发点布局",
    "教师职称评审制度",
    "绩效工资分配办法",
    "教学科研考核评价体系",
    "校园网络服务",
    "教职工心理健康服务",
    "家属区物业管理",
    "教职工疗休养制度",
    "附属中学办学条件",
    "校园无障碍设施",
    "学术会议经费报销流程",
    "教职工代表巡视制度",
    "二级教代会建设",
    "劳模创新工作室建设",
    "女教职工权益保障",
    "单身教职工交友服务",
    "校园绿化养护",
]
SESSIONS = {"教代会": "四届三次", "工代会": "四届三次"}
SEPARATORS = ["、", ",", ";", "、"]


@dataclass
class Proposal:
    pid: str
    congress: str
    title: str
    proposer: str
    submitted: date
    accepted: bool
    lead: str | None
    co: list[str]
    replied: date | None = None
    status: str = "未办理"
    satisfaction: str | None = None


def _department(rng: random.Random, name: str) -> str:
    """A department as written in the proposal system: sometimes an alias."""
    aliases = [a for a in DEPT_ALIASES[name] if "、" not in a and "（" not in a]
    if aliases and rng.random() < 0.3:
        return rng.choice(aliases)
    return name


def _co_name(rng: random.Random, name: str) -> str:
    """In a 协办部门 list `、` separates names, so a name holding `、` is always written by alias."""
    if "、" in name:
        return rng.choice(["党办校办", "校办"])
    return _department(rng, name)


def build(ctx: Context) -> list[XlsxFile]:
    rng = ctx.rng("proposals")
    y = ctx.year
    plan = ctx.plan
    titles = [f"关于{v}{o}的建议" for o in OBJECTS for v in VERBS]
    rng.shuffle(titles)
    titles_iter = iter(titles)

    props: list[Proposal] = []
    for congress, prefix, n_yes, n_no in (
        ("教代会", "JDH", plan["proposals.congress.accepted"], plan["proposals_congress_rejected"]),
        ("工代会", "GDH", plan["proposals.union.accepted"], plan["proposals_union_rejected"]),
    ):
        flags = [True] * n_yes + [False] * n_no
        rng.shuffle(flags)
        for i, accepted in enumerate(flags, start=1):
            lead = rng.choice(FUNCTIONAL) if accepted else None
            co = (
                [n for n in rng.sample(FUNCTIONAL, rng.choice([0, 1, 1, 2, 3])) if n != lead]
                if accepted
                else []
            )
            props.append(
                Proposal(
                    f"{prefix}{y}-{i:03d}",
                    congress,
                    next(titles_iter),
                    person_name(rng, rng.choice("男女")),
                    workday(rng, date(y, 3, 6), date(y, 3, 24)),
                    accepted,
                    lead,
                    co,
                )
            )
    # One proposal withdrawn after September: in the first two exports (not accepted), not the last.
    withdrawn = Proposal(
        f"JDH{y}-{len([p for p in props if p.congress == '教代会']) + 1:03d}",
        "教代会",
        next(titles_iter),
        person_name(rng, "男"),
        date(y, 3, 20),
        False,
        None,
        [],
    )

    exports = [date(y, 5, 31), date(y, 9, 30), date(y, 11, 30)]
    snapshots: list[list[Proposal]] = []
    progress = {p.pid: rng.random() for p in props}
    satisfaction = {
        p.pid: C.pick(rng, {"满意": 72, "基本满意": 16, "不满意": 3, "": 9}) or None for p in props
    }
    for k, day in enumerate(exports):
        snap = []
        for p in props:
            q = replace(p, co=list(p.co))
            if p.accepted:
                x = progress[p.pid]
                if k == 0:
                    q.status = "办理中" if x < 0.4 else "未办理"
                elif k == 1:
                    q.status = "已办结" if x < 0.45 else "办理中"
                else:
                    q.status = "已办结" if x < 0.82 else "办理中"
                if q.status == "已办结":
                    q.replied = p.submitted + timedelta(days=int(60 + x * 180))
                    q.replied = min(q.replied, day - timedelta(days=3))
                    if k == 2 or x < 0.3:  # asked once the reply is in; blank until then
                        q.satisfaction = satisfaction[p.pid]
            snap.append(q)
        if k < 2:
            snap.append(replace(withdrawn))
        snapshots.append(snap)
    # the latest export, and the withdrawn proposal as the last export that has it shows it
    ctx.facts.proposals = [*snapshots[-1], snapshots[1][-1]]
    ctx.figures["proposals.congress.accepted"] = sum(
        1 for p in snapshots[-1] if p.congress == "教代会" and p.accepted
    )
    ctx.figures["proposals.union.accepted"] = sum(
        1 for p in snapshots[-1] if p.congress == "工代会" and p.accepted
    )

    head = [
        "提案编号",
        "会议",
        "届次",
        "标题",
        "提案人",
        "提交日期",
        "是否立案",
        "承办部门",
        "协办部门",
        "答复日期",
        "办理状态",
        "满意度",
    ]
    files = []
    for k, (day, snap) in enumerate(zip(exports, snapshots, strict=True)):
        srng = ctx.rng(f"proposals/{k}")
        yes_no = ("立案", "不立案") if k == 1 else ("是", "否")
        rows = []
        for p in sorted(snap, key=lambda p: (p.congress != "教代会", p.pid)):
            pid = C.fullwidth(p.pid) if (k == 0 and srng.random() < 0.05) else p.pid
            sep = srng.choice(SEPARATORS)
            rows.append(
                Row(
                    [
                        pid,
                        p.congress,
                        SESSIONS[p.congress],
                        p.title,
                        p.proposer,
                        C.day(p.submitted, "excel" if k != 1 else "iso"),
                        yes_no[0] if p.accepted else yes_no[1],
                        _department(srng, p.lead) if p.lead else None,
                        sep.join(_co_name(srng, n) for n in p.co) or None,
                        C.day(p.replied, C.pick(srng, {"excel": 7, "cn": 2, "slash": 1}))
                        if p.replied
                        else None,
                        p.status,
                        p.satisfaction,
                    ]
                )
            )
        if k == 0:  # the system exported one proposal twice with different statuses: a conflict
            twin_at = next(
                i for i, r in enumerate(rows) if r.cells[6] == "是" and r.cells[10] == "未办理"
            )
            a = rows[twin_at]
            b = Row(list(a.cells))
            b.cells[10] = "办理中"
            note = f"{a.cells[0]} twice in the 0531 export, 未办理 and 办理中"
            a.plant = Plant("conflicting_duplicate", note)
            b.plant = Plant("conflicting_duplicate", note)
            rows.insert(twin_at + 1, b)
        title = [
            f"西南大学第四届教职工代表大会第三次会议暨第四届工会会员代表大会第三次会议提案办理情况（{y}）"
        ]
        if k == 2:  # label and date in one cell
            preamble = [[f"导出日期：{day.isoformat()}"]]
        elif k == 1:  # label and date in two cells
            preamble = [["导出日期", C.XDate(day)]]
        else:  # no cell: the date is in the file name
            preamble = []
        files.append(
            XlsxFile(
                f"proposals/提案_{day:%Y%m%d}.xlsx",
                [
                    Sheet(
                        "提案",
                        head,
                        rows,
                        titles=title,
                        preamble=preamble,
                        widths={0: 14, 3: 40, 7: 16, 8: 28, 9: 12},
                    )
                ],
            )
        )
    return files
