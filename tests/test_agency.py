"""Who is counting (metrics.agency) and what a number counts (counters, context): real sentences from
the real development documents (tests/real/dev) and the sample data."""

from __future__ import annotations

from datetime import date

import pytest

from metrics.agency import AgencyReader, find_agencies
from metrics.extract import extract_text

PUB_2023 = date(2023, 8, 2)
PUB_2025 = date(2025, 1, 20)


def figs(text: str, published_on: date = PUB_2023) -> list[tuple[str, float]]:
    return [(f.metric, float(f.value)) for f in extract_text(text, published_on=published_on).figures]


def kind(text: str) -> str | None:
    return AgencyReader(text, None).kind_at(len(text), (0, len(text)))


@pytest.mark.parametrize(("text", "expected"), [
    # the last body named before the number counts
    ("据市场监管局介绍，公安机关破获案件12起", "police"),          # 据…介绍 is the source
    ("市场监管部门联合公安机关开展专项行动，查处案件50起", "market"),  # 联合 names a partner
    ("会同省公安厅、省教育厅、省农业农村厅,在全省部署深入开展整治食品安全问题联合行动。全省查处食品生产经营环节各类违法案件(问题)4025件",
     None),
    # a list counting together with a market-regulation body counts as market regulation
    ("2023年1-7月，12315、12345平台共受理投诉举报1648件", "market"),
    ("全省12315平台（含12345政务服务便民热线转办）共受理消费者诉求41.27万件", "complaint_centre"),
    ("12345热线解决企业和群众诉求1781万件", "government_hotline"),
    ("今年6月，全国共查处违反中央八项规定精神问题10111起", "discipline"),
])
def test_the_counting_body(text: str, expected: str | None) -> None:
    assert kind(text) == expected


def test_roles_of_the_names() -> None:
    roles = [(a.kind, a.role) for a in find_agencies("崇阳县烟草专卖局联合县公安局、县市场监督管理局等部门开展专项行动")]
    assert roles[0] == ("other_enforcer", "counting")
    assert ("police", "partner") in roles


# (real sentence, figures it yields)
YIELDS = [
    # 12315 and 12345 platforms together: complaints, and the cases filed from them
    ("2023年1-7月，12315、12345平台共受理投诉举报1648件，其中投诉1501件，举报177件，由投诉举报事件立案查处的案件38个。",
     [("complaints", 1648), ("complaints", 1501), ("complaints", 177), ("cases", 38)]),
    # a partner police bureau does not take the market-regulation bureau's count (data/raw/002)
    ("会同省公安厅、省教育厅、省农业农村厅,在全省部署深入开展整治食品安全问题联合行动。全省查处食品生产经营环节各类违法案件(问题)4025件,罚没款2354.48万余元。",
     [("cases", 4025), ("fines_confiscations", 23544800)]),
    # word orders and short forms of new registrations (gwr2025-四川, gwr2026-福建, gwr2026-湖南)
    ("全省经营主体新增105万户、总量达920万户。", [("new_market_entities", 1050000)]),
    ("新设台企2612家，实际使用台资7.24亿美元。", [("new_enterprises", 2612)]),
    ("新增大学生创业企业超9000家、增长57.5%。", [("new_enterprises", 9000)]),
    # a breakdown after the headline, in its sentence or the next (a 按类别看 sentence)
    ("今年以来，全市共受理投诉举报2345件，其中食品类497件、日用品479件、服装鞋帽200件。",
     [("complaints", 2345), ("complaints", 497), ("complaints", 479), ("complaints", 200)]),
    ("今年以来，全市共受理投诉举报2345件。按类别看，食品类497件、日用品479件。",
     [("complaints", 2345), ("complaints", 497), ("complaints", 479)]),
    # a list's next item naming a part of the metric before it
    ("新登记经营主体147万户、企业57.3万家。", [("new_market_entities", 1470000), ("new_enterprises", 573000)]),
    # 组批, the lot unit of product-quality 监督抽查 notices (an invented sentence in their style)
    ("近日对本市销售的儿童鞋产品质量进行了监督抽查，共抽查54组批产品，发现10组批产品不合格。",
     [("sampling_batches", 54), ("failed_batches", 10)]),
    # a drug regulator's notice of batches failing
    ("现将有关情况通告如下：经上海市食品药品检验研究院等4家药品检验机构检验，发现11家企业生产的14批次药品不符合规定。",
     [("failed_batches", 14)]),
    # complaints in a paragraph with no body named, after the text named the bureau (h2-06 style)
    ("记者从喀什地区市场监督管理局获悉，今年1—9月，喀什地区12315平台共受理消费者投诉举报9816件。\n从区域分布看，喀什市受理投诉举报3127件。",
     [("complaints", 9816), ("complaints", 3127)]),
    # the words after the number say the batches failed
    ("温岭市29批次食用农产品抽检不合格", [("failed_batches", 29)]),
]

NOTHING = [
    # discipline commissions, police, traffic police, government hotlines (tests/real/dev)
    "今年6月，全国共查处违反中央八项规定精神问题10111起，批评教育帮助和处理14191人。",
    "今年上半年，全省纪检监察机关查处享乐主义、奢靡之风问题662起、党纪政务处分655人。",
    "2020年以来，公安机关每年组织“净网”专项行动，依法重拳打击侵犯公民个人信息违法犯罪活动，累计侦破侵犯公民个人信息类案件3.6万起。",
    "“入企扫码”执法模式全国推广，12345热线解决企业和群众诉求1781万件。",
    "建立惠企政策全流程服务工作机制，推动重点企业“服务包”提质增效，累计办理企业诉求15345件。",
    # firms entering a statistic or a roll are not registrations (gwr2025-江西, gwr2025-海南)
    "开展“消费促进年”系列活动，新增限额以上商贸经营主体5000多家，培育中华老字号34个。",
    "新增涉税经营主体19.5万户、增长22.1%。",
    # a pass rate with no sampling in view (crud-4-2-139)
    "自2016年开展护士规范化培训以来，该院历年护培合格率均为100%，为市内外医疗机构输送400余名规范化培训合格护士。",
    # an assigned task is a plan; waived or reduced fines are not levied
    "省市场监管局部署年度抽检任务4000批次。",
    "上半年，全市市场监管部门免罚金额1200万元，减轻罚款金额300万元。",
    # a stock's parts are no new registrations
    "截至年底，全州实有经营主体22.8万户，其中企业4.36万户。",
    # one party's penalty, in the passive or on one firm (tests/real/dev, tests/real/shared)
    "原标题：因推荐1岁内婴儿食用奶粉，盒马被罚20万元",
    "近日，江苏淹城野生动物世界有限公司因违反广告法，被常州市武进区市场监督管理局罚款25万元。",
    "近日，杭州明瑞信息咨询有限公司因涉嫌商业贿赂案被杭州市市场监督管理局做出处罚，罚款数额超过27万元。",
    "上海信勒餐饮管理有限公司新乐路分公司为提高营业额不当营销，罚款3万元。",
    "涉案饮食店已被责令整改违法行为，并受到行政处罚，没收其违法所得204元，罚款45000元。",
    # police, insurance, court-enforcement and audit wordings; sport and culture bodies' fines; leniency
    # (real news items of the news-20000 corpus)
    "原标题：近年来四川侦办各类破坏生物多样性犯罪案件1.5万余件",
    "截至8月12日10时，河北等16个受灾地区的保险机构收到保险报案26.06万件，已赔付案件11.4万件。",
    "截至2022年底，仅姚振华个人涉及执行案件达到25宗。",
    "2023年上半年，伊利集团审计部共计查处典型舞弊事项75起。",
    "记者在会上获悉，2022年，南昌市34个执法部门共作出免予处罚案件1297件，免除罚款244万余元。",
    "中超深圳市足球俱乐部队官员蔡晓彬因辱骂球童被禁止进入比赛体育场2场，并罚款2万元。",
    "7月24日，石家庄市文化广电和旅游局发布通报称：对涉事歌手丁某予以行拘，公司立即停业整顿，罚款20万元。",
    "南昌市青云谱区人民检察院依托“检侨驿站”，先后解答企业涉法涉诉问题89个，帮助企业挽回损失近120万元。",
    "公安机关共抓获犯罪嫌疑人5名，帮助企业挽回直接经济损失1.13亿元。",
    # complaints nobody in market regulation counts, and per-policy rates
    "通过这一机制，九塘村7月份共收集群众各类诉求52件，现已办结39件。",
    "长城汽车表示，截至7月14日，已收到网友举报线索近千条。",
    "2023年上半年，人身保险公司万张保单投诉量中位数为1.09件/万张。",
    "上半年，上海市各级消保委受理消费投诉23万余件。",
    # one firm's batches in a drug notice; transport and land enforcement
    "经甘肃省药品检验研究院检验，标示为北京朗迪制药有限公司委托山西振东制药股份有限公司生产的7批次碳酸钙D3颗粒（Ⅱ）不符合规定。",
    "6月以来广东查处客运车辆违法违规案件3487宗",
    # losses recovered by fighting crime or clearing arrears (gwr2025-浙江, gwr2025-内蒙古)
    "重拳打击各类经济犯罪，为群众挽回经济损失22.2亿元。",
    "诚信建设扎实推进，大力整治各类失信行为，为企业清欠账款、挽回损失71.4亿元。",
    # customs inspection is not market-regulation sampling
    "今年1月至6月，衢州海关共检验出口制冷剂1843批，共29925吨。",
    # a classifier counter before its noun counts that noun
    "围绕三条主线，梳理出10个关键性指标。",
]


@pytest.mark.parametrize(("text", "expected"), YIELDS)
def test_real_sentences_yield(text: str, expected: list[tuple[str, float]]) -> None:
    assert figs(text, PUB_2025) == expected


@pytest.mark.parametrize("text", NOTHING)
def test_real_sentences_yield_nothing(text: str) -> None:
    assert figs(text) == []


def subjects(text: str) -> list[tuple[str, str]]:
    return [(f.metric, f.subject) for f in extract_text(text, published_on=PUB_2025).figures]


@pytest.mark.parametrize(("text", "expected"), [
    # which registrations: the kind, a short form, a qualifier, a zone or programme (real work reports)
    ("新设台企2612家，实际使用台资7.24亿美元。", [("new_enterprises", "台资企业")]),
    ("新登记文化和旅游经营主体1.1万户。", [("new_market_entities", "文化和旅游")]),
    ("自贸试验区新设企业2.3万家。", [("new_enterprises", "自贸试验区")]),
    ("“湘商回归”新注册企业1990家、总投资5785.5亿元。", [("new_enterprises", "湘商回归")]),
    ("自贸试验区建设高效推进，129项改革任务全面铺开，新增企业8500余家。", [("new_enterprises", "自贸试验区")]),
    ("举办创业安徽大赛等系列活动，全年新登记各类经营主体94.6万户。", [("new_market_entities", "")]),
])
def test_registration_subjects(text: str, expected: list[tuple[str, str]]) -> None:
    assert subjects(text) == expected


def regions_of(text: str) -> list[tuple[str, str | None]]:
    return [(f.metric, f.region_code) for f in extract_text(text, published_on=PUB_2023).figures]


def test_a_figure_counted_where_they_came_to() -> None:
    # crud-2-1-217: firms from Hong Kong set up in Guangzhou (穗)
    assert regions_of("2022年香港在穗新设企业1429家，占当年新设立外资企业总量41.5%。") == [
        ("new_enterprises", "440100")]


def test_a_story_about_one_district_places_its_unplaced_figures_there() -> None:
    # crud-2-1-570 (shortened): no bureau named, the district named throughout, the city twice
    text = ("8月8日，在沈阳市系列新闻发布会上，苏家屯区区长表示，上半年，苏家屯区地区生产总值增长1.7%。"
            "在招商投资方面，苏家屯区签约项目76个。强化市场主体培育，新登记市场主体6173户，净增长2650户。"
            "苏家屯区转型升级不断加快。品质城区苏家屯区推动品质城区建设。沈阳地铁6号线全面进场施工。")
    assert regions_of(text) == [("new_market_entities", "210111")]
