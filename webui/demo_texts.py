"""The demo's documents: what a pilot, its province and the ministry write at each step, in the
register of Chinese government papers (schemes, task books, reports, review opinions).

Pure functions of a pilot and a few numbers; every result fits the step's form (processes/*-schema.json).
The demo's stories (webui.demo_stories) decide who sends which document when.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from webui.demo_indicators import COMMON
from webui.demo_indicators import FOCUS
from webui.demo_indicators import INDICATORS

GOVERNMENT = {"北京经济技术开发区": "北京经济技术开发区管委会", "两江新区": "两江新区管委会",
              "平潭": "平潭综合实验区管委会"}
PREFIX = {"city": "市", "district": "区", "county": "县", "town": "镇"}
HEAD = {"市": "市长", "区": "区长", "县": "县长", "镇": "镇长"}
SOURCE_NAMES = {"fiscal": "财政资金", "bank_loan": "银行贷款", "social_capital": "社会资本", "other": "其他"}


@dataclass(frozen=True)
class Pilot:
    """A pilot as the documents name it."""

    name: str
    province: str
    level: str

    @property
    def short(self) -> str:  # 宁波市（含海曙区、…） -> 宁波市
        return self.name.split("（")[0]

    @property
    def p(self) -> str:  # the prefix of its bureaus: 市住房和城乡建设局, 区住房和城乡建设局 …
        return "实验区" if self.short == "平潭" else PREFIX.get(self.level, "市")

    @property
    def government(self) -> str:
        return GOVERNMENT.get(self.short, self.short + "人民政府")

    @property
    def head(self) -> str:
        return "管委会主任" if self.short in GOVERNMENT else HEAD.get(self.p, "市长")

    @property
    def codes(self) -> tuple[str, ...]:
        return (*COMMON[:3], *FOCUS.get(self.short, ("3.3.8", "3.3.1")))

    @property
    def fields(self) -> tuple[str, str]:
        a, b = FOCUS.get(self.short, ("3.3.8", "3.3.1"))
        return INDICATORS[a][0], INDICATORS[b][0]

    def unit(self, code: str) -> str:
        return INDICATORS[code][3].format(p=self.p)


# --- 实施方案 and its review ---------------------------------------------------------------------

def scheme(pilot: Pilot, round_no: int, start_year: int) -> dict[str, Any]:
    """The implementation scheme; round 1 lacks figures (which the province asks for)."""
    a, b = pilot.fields
    end = start_year + 2
    if round_no == 1:
        objectives = (f"以“{a}”“{b}”为重点，用三年时间基本建成城市公共信息平台和城市公共基础数据库，显著提升政务"
                      "服务、城市管理和民生服务的智慧化水平，形成一批可复制、可推广的经验。")
    else:
        objectives = (f"到{end}年底：建成人口、法人、空间地理、宏观经济四大基础数据库，城市公共信息平台接入部门不少于"
                      "40个；政务服务事项网上可办率不低于90%；数字化城管覆盖建成区100%；"
                      + "；".join(INDICATORS[c][1] for c in pilot.codes[3:]) + "。")
    timeline = (f"（一）{start_year}年：完成顶层设计和标准规范编制，启动城市公共信息平台一期和"
                f"{INDICATORS[pilot.codes[3]][5]}；（二）{start_year + 1}年：平台一期上线，基础数据库投入使用，推进"
                f"{INDICATORS[pilot.codes[4]][5]}；（三）{end}年：完成各项应用建设并开展评估，形成长效运营机制。")
    if round_no >= 3:
        timeline += "各重点项目的年度投资计划、资金来源和牵头单位见附表，与投融资方案一致。"
    data: dict[str, Any] = {
        "scheme_title": f"{pilot.short}国家智慧城市试点实施方案" + ("（修改稿）" if round_no > 1 else ""),
        "objectives": objectives,
        "top_level_design": (f"按照“一个中心、两个平台、N项应用”的总体架构推进：一个中心即{pilot.short}城市运行管理"
                             f"中心；两个平台即城市公共信息平台和城市公共基础数据库；N项应用围绕{a}、{b}、数字化城管、"
                             "网上办事等重点领域展开。统一标准规范、统一网络基础、统一安全保障，避免重复建设。"),
        "tasks_and_timeline": timeline,
        "responsibilities": (f"成立由{pilot.head}任组长的智慧城市建设领导小组，办公室设在{pilot.p}住房和城乡"
                             "建设局，负责统筹协调和日常推进。各牵头单位按任务分工制定年度计划；试点任务纳入年度目标责任制考核，"
                             "考核结果与部门绩效挂钩，每半年通报一次进展。"),
        "safeguards": (f"（一）资金保障：{pilot.p}财政每年安排智慧城市专项资金，积极争取国家开发银行贷款，"
                       "鼓励社会资本参与；（二）人才保障：组建智慧城市专家咨询委员会，与高校共建人才培训基地；（三）标准保障：制定数据共享"
                       "交换规范；（四）安全保障：落实信息安全等级保护制度，重要信息系统等级保护测评率100%。"),
    }
    if round_no == 2:
        data["revision_notes"] = ("根据省级审核意见：1. 在建设目标中补充了基础数据库、平台接入部门数、网上可办率等量化"
                                  "指标及完成时限；2. 对照指标体系（试行）逐项明确了目标值。")
    elif round_no > 2:
        data["revision_notes"] = ("根据第二轮审核意见，补充了各重点项目的年度投资计划、资金来源和牵头单位，重点项目时间"
                                  "安排与投融资方案保持一致。")
    return data


SCHEME_COMMENTS = (
    "请补充量化指标：建设目标中“显著提升”“基本建成”等表述缺少可考核的数值，请对照《国家智慧城市（区、镇）试点"
    "指标体系（试行）》逐项明确目标值和完成时限。",
    "量化指标已补充。重点项目时间安排与资金来源尚不对应，请补充各项目年度投资计划，明确牵头单位和资金渠道。",
    "投资计划已补充。请进一步说明城市运行管理中心的运维经费来源。",
)
SCHEME_APPROVED = "方案目标明确、任务可考核，保障措施基本落实，同意按此方案开展创建工作。"


def scheme_review(decision: str, round_no: int) -> dict[str, Any]:
    if decision == "approve":
        return {"decision": "approve", "comment": SCHEME_APPROVED}
    return {"decision": decision, "comment": SCHEME_COMMENTS[min(round_no, len(SCHEME_COMMENTS)) - 1]}


# --- 创建任务书, 投融资方案 and their review -------------------------------------------------------

def task_book(pilot: Pilot, start_year: int, years: int, round_no: int) -> dict[str, Any]:
    a, b = pilot.fields
    end = start_year + years - 1
    targets = [{"indicator_code": code, "target_value": INDICATORS[code][1], "baseline_value": INDICATORS[code][2],
                "milestone_date": f"{end if i % 2 == 0 else end - 1}-12-31", "responsible_unit": pilot.unit(code)}
               for i, code in enumerate(pilot.codes)]
    data: dict[str, Any] = {
        "creation_start_year": start_year, "creation_years": years,
        "overall_goal": (f"通过{years}年创建，到{end}年底建成{pilot.short}城市公共信息平台和四大基础数据库，在{a}、{b}"
                         "等领域形成示范应用，政务服务、城市管理和公共服务智慧化水平明显提升，达到国家智慧城市试点"
                         "验收要求。"),
        "targets": targets,
    }
    if round_no > 1:
        data["revision_notes"] = "按审查意见补充了社会资本项目的合作模式和回报机制，统一了任务书与实施方案中的目标值。"
    return data


def investment_plan(pilot: Pilot, start_year: int, rng: random.Random) -> dict[str, Any]:
    projects: list[dict[str, Any]] = []
    amounts: dict[str, int] = dict.fromkeys(SOURCE_NAMES, 0)
    for i, code in enumerate(pilot.codes):
        _, _, _, _, _, name, (low, high), source = INDICATORS[code]
        amount = rng.randrange(low, high, 10)
        amounts[source] += amount
        projects.append({"name": f"{pilot.short}{name}", "amount_wan": amount,
                         "funding_source": source, "schedule_start": f"{start_year + i // 3}-0{3 + i}-01",
                         "schedule_end": f"{start_year + 1 + i // 2}-12-31",
                         "description": f"建设内容：{INDICATORS[code][1]}。牵头单位：{pilot.unit(code)}。"})
    total = amounts
    notes = "，".join(f"{SOURCE_NAMES[s]}{v}万元" for s, v in total.items() if v)
    return {"projects": projects,
            "financing_notes": (f"重点项目{len(projects)}个，总投资{sum(total.values())}万元，其中{notes}。社会资本项目"
                                "采用政府和社会资本合作（PPP）模式，按使用量付费；银行贷款以项目收益和专项资金偿还。")}


TASK_BOOK_COMMENT = ("请补充投融资渠道说明：社会资本参与的项目未明确合作模式和回报机制；任务书中部分目标值与实施方案"
                     "不一致，请统一后重新报送。")


def task_book_review(decision: str) -> dict[str, Any]:
    if decision == "approve":
        return {"task_book_decision": "approve",
                "task_book_comment": "任务书目标与实施方案一致，投融资方案可行，同意。"}
    return {"task_book_decision": decision, "task_book_comment": TASK_BOOK_COMMENT}


# --- 年度自评价报告 and its review -----------------------------------------------------------------

def annual_report(pilot: Pilot, year: int, year_index: int, years: int, rng: random.Random, *,
                  supplemented: bool = False) -> dict[str, Any]:
    stage = min(2, year_index * 3 // max(years, 1) + (1 if year_index == years - 1 else 0))
    progress = [{"indicator_code": code, "self_score": rng.randint(62, 72) + 11 * stage,
                 "note": f"{year}年：{INDICATORS[code][4][stage]}。"} for code in pilot.codes]
    a, _ = pilot.fields
    summary = (f"{year}年，{pilot.short}对照创建任务书推进试点工作，完成重点项目投资{rng.randrange(4200, 16800, 100)}"
               f"万元。{INDICATORS[pilot.codes[0]][4][stage]}；{a}项目按计划推进。存在的主要问题：部门数据共享仍不充分，"
               "部分项目社会资本到位较慢。")
    if supplemented:
        summary += "（补充说明：已按审核意见补充各指标统计口径和重点项目年度投资完成情况表。）"
    return {"year": year, "progress": progress, "summary": summary,
            "next_year_plan": f"{year + 1}年重点推进{INDICATORS[pilot.codes[4]][5]}，完善数据共享考核机制。"}


def annual_review(decision: str, pilot: Pilot) -> dict[str, Any]:
    if decision == "accepted":
        return {"report_decision": "accepted", "report_comment": "报告内容完整，进展情况属实，同意。"}
    code = pilot.codes[2]
    return {"report_decision": "supplement",
            "report_comment": (f"请补充佐证材料：指标 {code} {INDICATORS[code][0]}自评分偏高，缺少统计口径说明；请补充"
                               "重点项目年度投资完成情况表。")}


def escalation(pilot: Pilot, what: str) -> dict[str, Any]:
    return {"acknowledged": True,
            "escalation_note": f"已电话督促{pilot.short}智慧城市建设领导小组办公室，要求10个工作日内报送{what}。"}


# --- 督查 and 整改 ---------------------------------------------------------------------------------

def inspection(pilot: Pilot) -> dict[str, Any]:
    c1, c2 = pilot.codes[0], pilot.codes[3]
    return {"findings": (f"1. {INDICATORS[c1][0]}接入部门数据不足三成，数据共享考核机制未建立；2. {INDICATORS[c2][5]}"
                         "进度滞后约6个月；3. 部分政务信息系统未完成信息安全等级保护测评。"),
            "inspectors": "省住房和城乡建设厅督查组"}


def rectification(pilot: Pilot, round_no: int, done_on: str) -> dict[str, Any]:
    c1, c2 = pilot.codes[0], pilot.codes[3]
    measures = [
        {"finding": f"{INDICATORS[c1][0]}数据共享不足", "completed_on": done_on,
         "measure": "印发数据共享管理办法，将数据共享纳入部门年度考核，新增接入部门14个。"},
        {"finding": f"{INDICATORS[c2][5]}进度滞后", "completed_on": done_on,
         "measure": "调整施工组织，倒排工期，每周调度一次"
                    + ("；已完成主体建设并通过初验。" if round_no > 1 else "。")},
        {"finding": "等级保护测评未完成", "completed_on": done_on,
         "measure": "委托测评机构完成全部12个系统的等级保护测评。"},
    ]
    report = f"{pilot.government}按督查意见逐项整改，三项问题均已落实整改措施。"
    if round_no > 1:
        report += "针对核查意见，补充了项目建设进度和初验材料。"
    return {"rectification_report": report, "measures": measures}


def verification(decision: str) -> dict[str, Any]:
    if decision == "verified":
        return {"rectification_decision": "verified", "rectification_comment": "经现场核查，三项问题均已整改到位。"}
    return {"rectification_decision": "rectify_again",
            "rectification_comment": "第2项整改措施不具体，请补充项目建设进度、完成时限和初验材料。"}


# --- 验收 ------------------------------------------------------------------------------------------

def acceptance_application(pilot: Pilot, start_year: int, years: int, self_score: int,
                           rng: random.Random) -> dict[str, Any]:
    n = len(pilot.codes)
    met = n if self_score >= 85 else n - 1
    invested = rng.randrange(32000, 68000, 100)
    return {
        "application_summary": (f"{pilot.short}国家智慧城市试点创建期（{start_year}—{start_year + years - 1}年）"
                                f"已届满，对照创建任务书，{n}项创建目标完成{met}项，累计完成投资{invested}万元，现申请验收。"),
        "final_self_assessment": ("一、目标完成情况：城市公共信息平台和四大基础数据库全部建成，网上可办率、数字化城管"
                                  "覆盖率等指标达到任务书要求。二、重点项目：各重点项目均已竣工投用。三、长效机制：建立了"
                                  "数据共享考核和平台运营维护制度。四、存在不足：社会资本参与度不高，部分应用使用率偏低。"),
        "self_score": self_score, "targets_met": met, "investment_completed_wan": invested,
    }


ASSESSMENT_COMMENTS = {
    3: "试点创建成效显著，各项目标全面完成，数据共享和应用水平在全国试点中处于前列，建议评定为三星级。",
    2: "试点创建任务基本完成，平台和基础数据库运行良好，产业类指标仍有差距，建议评定为二星级。",
    1: "试点完成了主要建设任务，但部分应用使用率偏低，长效运营机制有待完善，建议评定为一星级。",
    0: "多项核心指标未达到任务书要求，重点项目建设滞后，不予通过验收，建议整改后重新申请。",
}


def assessment(scores: tuple[int, int, int, int], stars: int) -> dict[str, Any]:
    data: dict[str, Any] = {f"score_{i}": s for i, s in enumerate(scores, start=1)}
    return data | {"overall_comment": ASSESSMENT_COMMENTS[stars],
                   "assessors": "国家智慧城市专家委员会验收组：王建国（组长）、李晓梅、陈志远、赵永刚、孙丽"}


# --- 省级年度总结 ----------------------------------------------------------------------------------

def provincial_summary(province: str, year: int, pilots: list[Pilot]) -> dict[str, Any]:
    if not pilots:
        return {"year": year, "summary": f"{year}年本省试点均处于实施方案和创建任务书编制阶段，暂无年度自评价报告。",
                "lessons": "加强对试点实施方案编制的指导，督促试点按期报送。"}
    names = "、".join(p.short for p in pilots)
    return {"year": year,
            "summary": (f"{year}年，{province}{len(pilots)}个试点（{names}）按期报送年度自评价报告。省级住房城乡"
                        "建设主管部门组织专家对报告逐一审核，开展督查，推动数据共享和重点项目建设。"),
            "lessons": "一是部门数据共享仍是普遍难点，需纳入考核；二是社会资本参与不足，需完善回报机制；三是加强年度"
                       "报告佐证材料的审核。",
            "pilot_remarks": [{"pilot_name": p.name, "remark": f"{p.fields[0]}、{p.fields[1]}进展较快，"
                                                                 "需加快数据共享。"} for p in pilots]}
