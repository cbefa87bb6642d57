"""The 2023 figures the demo data must produce, exactly (from `report-figures.md`).

This is the only place in the project that knows the published figures: the generator builds the 2023
raw files so that the pipeline, applying the contract's rules to them, arrives at these values. The
pipeline itself computes every figure from the files and never reads this module.
"""

from decimal import Decimal

TARGETS_2023: dict[str, int | Decimal] = {
    "welfare.new_year.people": 167,
    "welfare.new_year.amount": Decimal("133600"),
    "welfare.july_first.people": 4,
    "welfare.july_first.amount": Decimal("3200"),
    "welfare.frontier_families.people": 15,
    "welfare.frontier_families.amount": Decimal("12000"),
    "welfare.teachers_day.people": 32,
    "welfare.teachers_day.amount": Decimal("25600"),
    "welfare.life_events.people": 325,
    "welfare.life_events.amount": Decimal("260500"),
    "welfare.universiade.people": 12,
    "welfare.veterans.people": 592,
    "welfare.veterans.amount": Decimal("177600"),
    "welfare.disability_care.amount": Decimal("180600"),
    "hardship.special.amount": Decimal("126000"),
    "hardship.temporary.amount": Decimal("35000"),
    "birthday.amount": Decimal("1575500"),
    "festival.amount": Decimal("13612000"),
    "alleviation.chengkou.amount": Decimal("303380"),
    "alleviation.chengkou.chicken.amount": Decimal("152720"),
    "alleviation.changning.amount": Decimal("1578300"),
    "alleviation.changning.over_target": Decimal("148000"),
    "proposals.congress.accepted": 98,
    "proposals.union.accepted": 15,
    "publicity.wechat.posts": 48,
    "publicity.upper_union.reports": 10,
    "publicity.news_flash.posts": 25,
    "publicity.grassroots.posts": 36,
    "publicity.clubs.posts": 5,
    "publicity.notices.posts": 30,
    "activities.group_purchase.count": 7,
    "meetings.union_committee.count": 5,
    "meetings.congress_executive.count": 7,
    "meetings.documents_reviewed": 12,
    "meetings.proposal_committee.count": 2,
}

# Given by the summary (超额14.8万元完成帮扶任务 on 157.83万元 of purchases): the 昌宁县 target.
CHANGNING_TARGET_2023 = Decimal("1430300")
# Not given by the summary: the demo's choice for 城口县 (so its over_target is 3,380 yuan).
CHENGKOU_TARGET_2023 = Decimal("300000")

# Figures that grow with `scale` (their sources are the row-heavy ones); the others stay as they are.
SCALED_PREFIXES = ("welfare.", "hardship.", "birthday.", "festival.")
