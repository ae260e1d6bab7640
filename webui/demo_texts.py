"""The demo's documents: what a pilot, its province and the ministry write at each step, in the
register of Chinese government papers (schemes, task books, reports, review opinions).

Pure functions of a pilot and a few numbers; every result fits the step's form (processes/*-schema.json).
The demo's stories (webui.demo_stories) decide who sends which document when.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

# code: (what the target is about, target value, baseline, responsible unit ({p} = 市/区/县 …),
#        three stages of progress for the annual reports, key project, amount range in 万元, funding source)
Indicator = tuple[str, str, str, str, tuple[str, str, str], str, tuple[int, int], str]
INDICATORS: dict[str, Indicator] = {
    "1.3.1": ("城市公共基础数据库", "建成人口、法人、空间地理、宏观经济四大基础数据库，数据更新周期不超过1个月",
              "仅建成人口基础库（部分字段）", "{p}大数据发展管理局",
              ("完成四大基础数据库总体设计，人口库、法人库完成数据清洗入库",
               "空间地理库、宏观经济库建成，四库累计汇聚数据2.3亿条",
               "四大基础数据库全部建成并实现按月更新，目标完成"),
              "城市公共基础数据库建设工程", (3200, 6800), "fiscal"),
    "1.3.2": ("城市公共信息平台", "建成城市公共信息平台，接入部门不少于40个，共享数据资源目录不少于1500类",
              "接入部门12个，无统一共享交换平台", "{p}大数据发展管理局",
              ("平台一期完成招标并开工建设，接入部门18个",
               "平台一期上线运行，接入部门31个，共享数据资源目录1120类",
               "平台二期建成，接入部门43个，共享数据资源目录1620类，目标完成"),
              "城市公共信息平台（城市运行管理中心）一期工程", (8000, 15000), "bank_loan"),
    "3.1.3": ("网上办事", "政务服务事项网上可办率不低于90%", "网上可办率46%", "{p}政务服务管理办公室",
              ("完成网上政务服务平台升级方案，网上可办率提高到61%",
               "上线“一网通办”移动端，网上可办率达到78%",
               "网上可办率达到92%，“最多跑一次”事项占比85%，目标完成"),
              "一体化网上政务服务平台升级改造", (1800, 4200), "fiscal"),
    "2.1.2": ("数字化城市管理", "数字化城管覆盖建成区100%，案件按期结案率不低于95%",
              "覆盖建成区60%，按期结案率82%", "{p}城市管理局",
              ("完成数字化城管平台扩容设计，新增覆盖建成区15%",
               "覆盖建成区90%，按期结案率91%",
               "覆盖建成区100%，按期结案率96.3%，目标完成"),
              "数字化城市管理平台扩容升级", (1500, 3500), "fiscal"),
    "3.3.1": ("智能交通", "主城区信号灯联网控制率不低于90%，公交电子站牌覆盖率不低于80%",
              "信号灯联网控制率35%，公交电子站牌覆盖率20%", "{p}交通运输局、{p}公安局交通警察支队",
              ("完成智能交通综合管控平台设计，改造路口信号机86处",
               "信号灯联网控制率达到72%，公交电子站牌覆盖率55%",
               "信号灯联网控制率93%，公交电子站牌覆盖率84%，主干道平均车速提高12%"),
              "智能交通综合管控平台", (9000, 22000), "bank_loan"),
    "3.3.8": ("智慧社区", "建成智慧社区示范点不少于30个", "已建示范点5个", "{p}民政局",
              ("出台智慧社区建设导则，新建示范点6个",
               "累计建成示范点19个，社区综合服务平台覆盖全部街道",
               "累计建成示范点32个，目标完成"),
              "智慧社区综合服务平台及示范点建设", (2500, 6000), "social_capital"),
    "3.2.5": ("医疗卫生", "居民电子健康档案建档率不低于90%，二级以上医院检查结果互认",
              "电子健康档案建档率55%", "{p}卫生健康委员会",
              ("全民健康信息平台开工建设，建档率提高到63%",
               "平台上线，建档率81%，12家二级以上医院实现检查结果互认",
               "建档率92%，二级以上医院检查结果互认全覆盖，目标完成"),
              "全民健康信息平台", (4000, 9000), "fiscal"),
    "3.3.3": ("智慧环保", "重点污染源在线监控率100%，建成空气和水环境自动监测网络",
              "重点污染源在线监控率70%", "{p}生态环境局",
              ("新增空气自动监测站8个，重点污染源在线监控率提高到78%",
               "水环境自动监测站建成投用，重点污染源在线监控率91%",
               "重点污染源在线监控率100%，监测数据接入公共信息平台，目标完成"),
              "生态环境智慧监测监管平台", (3000, 7000), "fiscal"),
    "3.3.2": ("智慧能源", "重点用能单位能耗在线监测覆盖率100%", "覆盖率40%", "{p}发展和改革委员会",
              ("能耗在线监测平台完成建设方案，接入重点用能单位45家",
               "接入重点用能单位112家，覆盖率76%",
               "接入重点用能单位全部148家，覆盖率100%，目标完成"),
              "能耗在线监测与智慧能源管理平台", (2800, 6000), "social_capital"),
    "4.2.2": ("传统产业改造", "规模以上工业企业数字化改造覆盖率不低于60%", "覆盖率23%", "{p}工业和信息化局",
              ("启动企业上云行动，完成数字化改造企业37家",
               "工业互联网标识解析二级节点上线，数字化改造覆盖率44%",
               "数字化改造覆盖率58%，较目标差2个百分点，年内可完成"),
              "工业互联网标识解析二级节点及企业上云工程", (6000, 15000), "social_capital"),
    "4.3.1": ("高新技术产业", "高新技术产业产值占规模以上工业总产值比重不低于55%", "比重41%",
              "{p}科技和信息化局",
              ("智能制造创新中心开工，高新技术产业产值占比44%",
               "新引进高新技术企业23家，占比49%",
               "占比56.2%，目标完成"),
              "智能制造创新中心", (12000, 30000), "social_capital"),
    "3.3.7": ("智慧物流", "建成公共物流信息平台，重点物流企业接入率不低于80%", "无统一物流信息平台",
              "{p}商务局、{p}口岸办",
              ("公共物流信息平台完成招标，接入重点物流企业32家",
               "平台上线运行，重点物流企业接入率61%",
               "重点物流企业接入率86%，通关时间压缩35%，目标完成"),
              "港口（口岸）物流公共信息平台", (5000, 12000), "bank_loan"),
    "2.2.2": ("排水系统", "排水管网地理信息系统覆盖率100%，易涝点实时监测全覆盖", "管网普查完成60%",
              "{p}住房和城乡建设局",
              ("完成主城区排水管网普查，普查率85%",
               "排水管网地理信息系统上线，32处易涝点安装实时监测设备",
               "管网信息系统覆盖率100%，易涝点监测全覆盖，目标完成"),
              "城市排水防涝智慧监测系统", (3500, 8000), "fiscal"),
    "2.2.1": ("供水系统", "供水管网漏损率不高于10%，二次供水设施远程监控覆盖率100%", "漏损率16.5%",
              "{p}水务集团有限公司",
              ("完成供水管网分区计量改造一期，漏损率降至14.8%",
               "二次供水设施远程监控覆盖率80%，漏损率12.1%",
               "漏损率9.6%，二次供水远程监控全覆盖，目标完成"),
              "智慧水务（供水管网漏损监测）工程", (4000, 9000), "bank_loan"),
    "2.2.6": ("供热系统", "热力站远程监控率100%，单位面积供热能耗下降10%", "远程监控率45%",
              "{p}城乡管理局（供热办）",
              ("完成智慧供热监管平台设计，改造热力站120座",
               "热力站远程监控率82%，单位面积供热能耗下降6%",
               "热力站远程监控率100%，能耗下降10.8%，目标完成"),
              "智慧供热监管平台", (3000, 6500), "social_capital"),
    "2.1.6": ("历史文化保护", "历史文化街区和历史建筑三维数字化建档率100%", "建档率30%",
              "{p}规划和自然资源局、{p}文物局",
              ("完成历史建筑普查，三维数字化建档率45%",
               "建档率78%，历史文化遗产保护信息平台上线",
               "建档率100%，目标完成"),
              "历史文化遗产数字化保护工程", (1500, 4000), "fiscal"),
    "4.3.2": ("现代服务业", "建成全域旅游智慧服务平台，A级景区智慧化覆盖率100%", "景区电子票务覆盖率50%",
              "{p}文化广电和旅游局",
              ("全域旅游智慧服务平台开工，景区电子票务覆盖率68%",
               "平台上线，A级景区智慧化覆盖率85%",
               "A级景区智慧化覆盖率100%，游客满意度提高到93%，目标完成"),
              "全域智慧旅游服务平台", (2500, 6000), "social_capital"),
    "3.1.4": ("政务服务体系", "市县乡村四级政务服务体系全覆盖，“一窗受理”比例不低于90%", "“一窗受理”比例35%",
              "{p}行政审批服务局",
              ("完成“一窗受理”系统建设方案，比例提高到52%",
               "四级政务服务体系覆盖全部乡镇，“一窗受理”比例76%",
               "四级体系全覆盖，“一窗受理”比例91%，目标完成"),
              "“一窗受理”综合服务系统", (1200, 3000), "fiscal"),
    "3.2.1": ("基本公共教育", "中小学宽带网络和多媒体教室覆盖率100%，教育资源共享平台注册用户不少于20万",
              "多媒体教室覆盖率68%", "{p}教育委员会",
              ("智慧教育云平台开工，多媒体教室覆盖率80%",
               "平台上线，注册用户12.6万，多媒体教室覆盖率94%",
               "覆盖率100%，注册用户21.3万，目标完成"),
              "智慧教育云平台", (2000, 5000), "fiscal"),
    "3.3.11": ("智能金融", "建成中小企业信用信息与融资服务平台，入库企业不少于5000家", "入库企业800家",
               "{p}金融工作办公室",
               ("平台完成建设，入库企业1900家",
                "入库企业3600家，累计撮合融资18.5亿元",
                "入库企业5400家，累计撮合融资41亿元，目标完成"),
               "中小企业信用信息与融资服务平台", (1500, 3500), "social_capital"),
    "3.3.6": ("智慧安全", "重点公共区域视频监控覆盖率和联网率均达到100%", "联网率52%", "{p}公安局",
              ("完成视频监控联网应用工程设计，联网率63%",
               "联网率85%，建成视频图像信息共享平台",
               "重点公共区域覆盖率、联网率均达到100%，目标完成"),
              "公共安全视频监控联网应用工程", (6000, 14000), "fiscal"),
}
COMMON = ("1.3.2", "1.3.1", "3.1.3", "2.1.2")
FOCUS: dict[str, tuple[str, str]] = {  # each pilot's own two fields of work
    "东城区": ("2.1.6", "3.3.8"), "温州市": ("2.2.1", "3.3.11"), "福州市仓山区": ("3.3.8", "3.1.4"),
    "南平市": ("3.3.3", "4.3.2"), "平潭": ("3.3.7", "3.3.1"), "两江新区": ("4.3.1", "3.3.1"),
    "南岸区": ("3.3.8", "3.3.6"), "太原市": ("2.2.6", "3.3.3"), "长治市": ("3.3.2", "4.2.2"),
    "朔州市平鲁区": ("4.2.2", "3.3.2"), "北京经济技术开发区": ("4.3.1", "3.1.4"), "永川区": ("3.2.1", "3.3.1"),
    "江北区": ("3.3.11", "3.3.8"), "宁波市": ("3.3.7", "3.2.5"), "宁波市宁海县": ("4.3.2", "2.2.2"),
    "南宁市": ("3.3.7", "3.1.4"), "柳州市": ("4.2.2", "3.3.1"), "桂林市": ("4.3.2", "2.1.6"),
    "贵港市": ("3.3.7", "2.2.2"), "柳州市鱼峰区": ("3.3.8", "3.3.6"), "拉萨市": ("2.1.6", "3.2.5"),
}
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
