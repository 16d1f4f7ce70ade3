"""The demo city: Hengyang in late February 2020 (shared/SCENARIO.md), loaded by ``zhengtong demo``.

Its story is shown in the present: the newspaper's day (27 February 2020) becomes the anchor day
(``--today``, default the real day) and every date of the story moves with it (core.demo_clock); birth
years move by the same whole number of years, so that the elders and children keep their ages.

From the newspaper page: the departments (市发改委, 市审计局, 市统计局, 市生态环境局, 市委办), the
county governments, and five units with what they did: 衡州监狱 (closed management), 衡南县福利中心
(55 elders and 20 children, closed since 26 January), 特变电工集团南方智能电网科技产业园 (construction
resumed 5 February), 湖南中科光电有限公司 (fully resumed) and 广铁工务大修段衡阳焊轨车间 (temperature
check and registration of everyone entering).

Invented, to make the picture whole: the named units' counties, codes, addresses and head-counts; the
ecology bureau's county branches; a few thousand further units with valid unified social credit codes
and real GB/T 4754-2017 classes in every county-level division of the city; a few hundred sites; tens of
thousands of people with generated names; one demo account per role.

The fake identity pool
----------------------
Nothing generated may look like a real person's identity. Every demo ID number is valid in form (it
passes ``stdnum.cn.ric`` and ``codes.check_id_number``) and is drawn from a pool nothing else in the
product uses:

* characters 1–6: a Hengyang region code: the person's county-level division (4304xx), or, when
  stdnum's GB/T 2260 table says that code was not yet in use in the birth year, the code the place had
  then (4327xx of the former 衡阳地区 before 1983, 430402–430411 of the old city districts before 2001,
  and 430400 衡阳市 as the last resort);
* characters 7–14: a birth date on the **1st** of a month;
* characters 15–17: a sequence number from **990 to 999**;
* character 18: the check character.

``is_demo_id_number`` recognises the pool. Names come from word lists, unit phone numbers are
``0734-0…`` (no local number in the 0734 area starts with 0) and e-mail addresses end in ``.invalid``.

Speed: the generated rows are written with ``bulk_create`` in batches and have no history rows; the
named units, their sites and the departments go through the registry services, so that their history
shows the demo administrator creating them.
"""

import inspect
import os
import random
import re
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from stdnum import numdb
from stdnum.cn import ric, uscc

from zhengtong.accounts.models import Role, RoleAssignment
from zhengtong.core import demo_clock as story
from zhengtong.core import discovery, scheduling
from zhengtong.core.audit import history_off
from zhengtong.core.natsort import natural_key
from zhengtong.registry import services
from zhengtong.registry.codes import mask_id_number
from zhengtong.registry.identity import encrypt_id_number, id_number_hash
from zhengtong.registry.models import Department, Industry, Person, Region, Site, SitePerson, Unit

DEFAULT_UNITS = 5000
DEFAULT_SITES = 300
DEFAULT_PEOPLE = 30000
DEFAULT_SEED = 20200227  # the day of the party secretary's visits (core.demo_clock.STORY_DAY)
BATCH = 1000
CITY = "430400"


def address() -> str:
    """Where `make run` serves the demo (its PORT, 8000 by default)."""
    return f"http://127.0.0.1:{os.getenv('PORT') or '8000'}/"


class DemoError(Exception):
    """The demo cannot be loaded or removed; ``str(error)`` says why and what to do."""


# Departments ----------------------------------------------------------------------------------

CITY_DEPARTMENTS = (  # (code, name, kind): named on the page
    ("fgw", "市发改委", Department.Kind.CITY_DEPARTMENT),
    ("sjj", "市审计局", Department.Kind.CITY_DEPARTMENT),
    ("tjj", "市统计局", Department.Kind.CITY_DEPARTMENT),
    ("sthjj", "市生态环境局", Department.Kind.CITY_DEPARTMENT),
    ("swb", "市委办", Department.Kind.PARTY_OFFICE),
)
COUNTY_SLUGS = {  # pinyin of the 12 county-level divisions, for department codes
    "430405": "zhuhui", "430406": "yanfeng", "430407": "shigu", "430408": "zhengxiang", "430412": "nanyue",
    "430421": "hengyangxian", "430422": "hengnan", "430423": "hengshan", "430424": "hengdong",
    "430426": "qidong", "430481": "leiyang", "430482": "changning",
}


def _branch_name(county: Region) -> str:
    """市生态环境局衡南分局: the county's name without 区/县/市, except 衡阳县 (衡阳 is the city)."""
    short = county.name if county.code == "430421" else county.name[:-1]
    return f"市生态环境局{short}分局"


def app_demos() -> list[tuple[str, Any]]:
    """(label, module) of the other apps' ``demo.py`` (core.discovery), in the order of INSTALLED_APPS.
    Each has ``load(*, admin, named_sites, rng, today) -> int`` (``named_sites`` keyed as NAMED_UNITS;
    the count is printed under ``LABEL``, default the app's label) and ``wipe() -> None``."""
    return [(getattr(module, "LABEL", app.label), module)
            for app, module in discovery.app_modules("demo") if module.__name__ != __name__]


# The units named on the page ------------------------------------------------------------------


@dataclass(frozen=True)
class NamedUnit:
    key: str
    name: str
    kind: str
    uscc_prefix: str
    county: str
    org_code: str  # the 8 characters of the organisation code before its check character
    industry: str
    others: tuple[str, ...]
    address: str
    site_name: str
    site_kind: str
    capacity: int | None
    people: tuple[tuple[str, str, int], ...]  # (relation, cohort, head-count at the default size)


# invented: every county, code, address, capacity and head-count below is ours; the page gives only
# the names, the kinds and (for the welfare centre, in 衡南县) 55 elders and 20 children.
# Industry classes (GB/T 4754-2017): 9223 公共安全管理机构 (prisons are public-security administration);
# 8514 老年人、残疾人养护服务 with 8516 孤残儿童收养和庇护服务 (a residential home; 8521 社会看护与帮助服务
# is the non-residential class); 3821 变压器、整流器和电感器制造 with 3823/3829 (smart-grid equipment);
# 3976 光电子器件制造; 5333 铁路运输维护活动 (track maintenance, of which rail welding is part).
NAMED_UNITS = (
    NamedUnit(
        "prison", "衡州监狱", Unit.Kind.GOVERNMENT_BODY, "11", "430407", "44840731", "9223", (),
        "衡阳市石鼓区松泉路1号", "衡州监狱监区", Site.Kind.PRISON, 1500,
        ((SitePerson.Relation.INMATE, "inmate", 1200), (SitePerson.Relation.STAFF, "adult", 260)),
    ),
    NamedUnit(
        "welfare", "衡南县福利中心", Unit.Kind.PUBLIC_INSTITUTION, "12", "430422", "44842206", "8514", ("8516",),
        "衡南县云集镇福泉路8号", "衡南县福利中心", Site.Kind.WELFARE_HOME, 75,
        ((SitePerson.Relation.RESIDENT, "elder", 55), (SitePerson.Relation.RESIDENT, "child", 20),
         (SitePerson.Relation.STAFF, "adult", 18)),
    ),
    NamedUnit(
        "tbea", "特变电工集团南方智能电网科技产业园", Unit.Kind.ENTERPRISE, "91", "430406", "MA4PJ7R1", "3821",
        ("3823", "3829"), "衡阳市雁峰区白沙大道66号", "南方智能电网科技产业园项目工地",
        Site.Kind.CONSTRUCTION_SITE, None,
        ((SitePerson.Relation.WORKER, "adult", 320), (SitePerson.Relation.STAFF, "adult", 40)),
    ),
    NamedUnit(
        "zhongke", "湖南中科光电有限公司", Unit.Kind.ENTERPRISE, "91", "430408", "MA4L3K8D", "3976", (),
        "衡阳市蒸湘区光明路18号", "中科光电生产厂区", Site.Kind.FACTORY, None,
        ((SitePerson.Relation.WORKER, "adult", 560), (SitePerson.Relation.STAFF, "adult", 60)),
    ),
    NamedUnit(
        "workshop", "广铁工务大修段衡阳焊轨车间", Unit.Kind.ENTERPRISE, "91", "430405", "MA4RC9W5", "5333", (),
        "衡阳市珠晖区焊轨路2号", "衡阳焊轨车间", Site.Kind.WORKSHOP, None,
        ((SitePerson.Relation.WORKER, "adult", 110), (SitePerson.Relation.STAFF, "adult", 12)),
    ),
)
NAMED = {u.key: u for u in NAMED_UNITS}
CLOSED_KINDS = (Site.Kind.PRISON, Site.Kind.WELFARE_HOME)  # no visitors under closed management


# Demo accounts -------------------------------------------------------------------------------

DEMO_PASSWORD = "zhengtong-demo"
DEMO_EMAIL_DOMAIN = "@demo.zhengtong.invalid"  # marks a user as a demo account (and .invalid never delivers)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    title: str  # the Chinese role name, kept in first_name
    scope: tuple[str, str]  # (kind, key) resolved at load time


DEMO_ACCOUNTS = (
    DemoAccount("admin", Role.CITY_ADMIN, "城市管理员", ("region", CITY)),
    DemoAccount("county", Role.COUNTY_OFFICER, "县区干部", ("region", "430422")),
    DemoAccount("dept", Role.DEPARTMENT_OFFICER, "部门干部", ("department", "fgw")),
    DemoAccount("manager", Role.SITE_MANAGER, "场所管理员", ("site", "prison")),
    DemoAccount("gate", Role.GATEKEEPER, "门岗", ("site", "prison")),
    DemoAccount("clerk", Role.ENTERPRISE_CLERK, "企业填报员", ("unit", "zhongke")),
    DemoAccount("reviewer", Role.PERMIT_REVIEWER, "许可审核员", ("department", "sthjj")),
)
DEMO_USERNAMES = tuple(a.username for a in DEMO_ACCOUNTS)


# Word lists (all invented) --------------------------------------------------------------------

BRAND_CHARS = (
    "华兴盛鑫瑞恒达丰泰新嘉宏远晨博金通安康源利隆昌和顺福德信诚润辉明光正中天海川林云星宇凯胜峰江湘"
    "蒸雁岳祥裕益永发旺亿联创科美佳旭腾立荣东南合众百铭锦豪威力坤乾智汇宸鼎弘景达盈聚"
)
SURNAMES = (
    "刘李陈王张周罗谭彭唐曾邓欧黄杨赵吴徐孙胡朱郭何高林郑梁谢宋许韩冯曹肖田董袁潘蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟陆汪范金石廖贾夏付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万严武戴莫向汤"
)
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文红辉玲燕斌宇浩凯鹏鑫婷雪琳晨子涵欣怡佳俊峰"
    "波亮林梅兰春志海云丹卫东湘岳蓉颖慧智诚康宁安思雨彤博轩睿泽瑶振德荣清远春秋夏冬"
)
ROAD_SUFFIXES = ("路", "路", "路", "大道", "街")
ENTERPRISE_FORMS = (("有限公司", 14), ("有限责任公司", 3), ("股份有限公司", 1))
# Sections for generated enterprises besides manufacturing (C), with weights.
OTHER_SECTIONS = {"A": 6, "B": 2, "D": 2, "E": 8, "F": 10, "G": 5, "H": 4, "I": 3, "K": 3, "L": 4, "M": 3,
                  "N": 2, "O": 3, "R": 1}
EXCLUDED_DIVISIONS = {"53", "56", "88"}  # railways, airlines; libraries, museums …: not small enterprises
PUBLIC_INSTITUTIONS = (  # (class, name pattern after the county, weight, site kind)
    ("8310", "{p}幼儿园", 3, Site.Kind.SCHOOL), ("8321", "{p}小学", 5, Site.Kind.SCHOOL),
    ("8331", "{p}中学", 3, Site.Kind.SCHOOL), ("8336", "{p}职业中等专业学校", 1, Site.Kind.SCHOOL),
    ("8411", "{p}医院", 1, Site.Kind.HOSPITAL), ("8423", "{p}镇卫生院", 3, Site.Kind.HOSPITAL),
    ("8421", "{p}社区卫生服务中心", 1, Site.Kind.HOSPITAL), ("8514", "{p}敬老院", 2, Site.Kind.WELFARE_HOME),
    ("8870", "{p}镇综合文化站", 1, Site.Kind.OFFICE),
)
GOVERNMENT_BODIES = (
    ("9221", "人民政府办公室"), ("9223", "应急管理局"), ("9223", "司法局"), ("9224", "民政局"),
    ("9224", "人力资源和社会保障局"), ("9224", "卫生健康局"), ("9224", "教育局"), ("9225", "发展和改革局"),
    ("9225", "农业农村局"), ("9225", "自然资源局"), ("9225", "住房和城乡建设局"), ("9225", "交通运输局"),
    ("9225", "统计局"), ("9226", "市场监督管理局"), ("9226", "审计局"),
)
SOCIAL_ORGANISATIONS = (  # (class, name pattern after the county, uscc prefix, weight)
    ("9522", "{t}行业协会", "51", 6), ("9521", "{f}", "51", 2), ("9529", "{p}商会", "51", 2),
    ("9530", "{p}教育基金会", "53", 1),
)
LEARNED_FIELDS = ("医学会", "护理学会", "土木建筑学会", "农学会", "会计学会", "机械工程学会")

KIND_WEIGHTS = (
    (Unit.Kind.ENTERPRISE, 90), (Unit.Kind.PUBLIC_INSTITUTION, 6), (Unit.Kind.SOCIAL_ORGANISATION, 3),
    (Unit.Kind.GOVERNMENT_BODY, 1),
)
SITE_PEOPLE = {  # typical head-count weight of a generated site, by kind
    Site.Kind.FACTORY: 120, Site.Kind.WORKSHOP: 60, Site.Kind.CONSTRUCTION_SITE: 90, Site.Kind.OFFICE: 25,
    Site.Kind.SCHOOL: 60, Site.Kind.HOSPITAL: 120, Site.Kind.WELFARE_HOME: 60, Site.Kind.OTHER: 15,
    Site.Kind.PRISON: 200,
}
COHORTS = {  # birth years
    "adult": (1958, 2001), "inmate": (1960, 2000), "elder": (1925, 1950), "child": (2003, 2017),
    "visitor": (1945, 2008),
}


# Codes ---------------------------------------------------------------------------------------


def _gb11714_check(body: str) -> str:
    """The check character of an organisation code (GB 11714-1997) over its first 8 characters."""
    values = [int(c) if c.isdigit() else ord(c) - 55 for c in body]
    c = 11 - sum(v * w for v, w in zip(values, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def make_uscc(prefix: str, county: str, org_body: str) -> str:
    """A unified social credit code: registration authority and kind, region, organisation code, check."""
    head = f"{prefix}{county}{org_body}{_gb11714_check(org_body)}"
    return head + uscc.calc_check_digit(head)


# Predecessor codes, newest first, that stdnum's GB/T 2260 table accepts for births before a division's
# current code came into use.
ID_REGION_CHAIN = {
    "430405": ("430405", "430402", "430411"), "430406": ("430406", "430403", "430411"),
    "430407": ("430407", "430404", "430411"), "430408": ("430408", "430403", "430404", "430411"),
    "430412": ("430412", "432723"), "430421": ("430421", "432721"), "430422": ("430422", "432722"),
    "430423": ("430423", "432723"), "430424": ("430424", "432724"), "430426": ("430426", "432726"),
    "430481": ("430481", "430427"), "430482": ("430482", "430425", "432725"),
}
DEMO_ID_RE = re.compile(r"^(4304|4327)\d{2}(19|20)\d{2}(0[1-9]|1[0-2])0199\d[0-9X]$")


def _id_number(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


@cache
def _region_spans(code: str) -> tuple[tuple[int, int], ...]:
    """The years in which stdnum's GB/T 2260 table has the code, read once per code the way
    ``ric.get_birth_place`` reads them (looking it up per number is most of the generator's time)."""
    info = {k: v for _, props in numdb.get("cn/loc").info(code) for k, v in props.items()}
    spans = []
    for county in filter(None, info.get("county", "").split(",")):
        if not county.startswith("["):
            return ((0, 9999),)
        lo, hi = county[1:].split("]")[0].split("-")
        spans.append((int(lo or 0), int(hi or 9999)))
    return tuple(spans)


def _region_in_use(code: str, year: int) -> bool:
    return any(lo <= year <= hi for lo, hi in _region_spans(code))


@cache
def _id_region(county: str, year: int) -> str:
    for code in ID_REGION_CHAIN.get(county, (county,)):
        if _region_in_use(code, year):
            return code
    return CITY


def is_demo_id_number(code: str) -> bool:
    """True for a number of the demo pool: Hengyang region, born on the 1st, sequence 990–999."""
    return bool(DEMO_ID_RE.match(code or "")) and code[17] == ric.calc_check_digit(code)


# Names ---------------------------------------------------------------------------------------


def trade_word(industry_name: str) -> str:
    """A business-name word from an industry class: 变压器、整流器和电感器制造 → 整流器制造."""
    n = re.sub(r"（[^）]*）|\([^)]*\)", "", industry_name)
    n = re.sub(r"^(其他未列明|其他|未列明)", "", n).replace("的饲养", "养殖").replace("活动", "")
    suffix = next(
        (s for s in ("制造", "加工", "批发", "零售", "种植", "养殖", "开采", "采选", "服务", "建筑", "施工",
                     "运输", "修理", "生产", "管理") if n.endswith(s) and len(n) > len(s)),
        "",
    )
    base = n[: len(n) - len(suffix)].split("、")[-1]
    if len(base) > 6:
        base = re.split(r"[和及与或]", base)[0]
    return (base + suffix) or n


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


# The generator -------------------------------------------------------------------------------


@dataclass
class _Industries:
    by_code: dict[str, Industry]
    section_of: dict[str, str]
    classes_by_section: dict[str, list[str]]
    classes_by_division: dict[str, list[str]]
    enterprise_classes: dict[str, list[str]]


@dataclass
class _State:
    rng: random.Random
    counties: list[Region]
    industries: _Industries
    usccs: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    id_bodies: set[str] = field(default_factory=set)
    id_pools: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    shift: timedelta = timedelta(0)  # the story's dates move by this (core.demo_clock.shift)
    years: int = 0  # and birth years by this many whole years


def _load_industries() -> _Industries:
    classes = Industry.objects.filter(level=Industry.Level.CLASS).select_related("parent__parent__parent")
    by_code, section_of = {}, {}
    by_section: dict[str, list[str]] = {}
    by_division: dict[str, list[str]] = {}
    for ind in classes.order_by("code"):
        by_code[ind.code] = ind
        section_of[ind.code] = ind.parent.parent.parent.code
        by_section.setdefault(section_of[ind.code], []).append(ind.code)
        by_division.setdefault(ind.code[:2], []).append(ind.code)
    if len(by_code) < 1000:
        raise DemoError("The GB/T 4754-2017 industry table is not loaded: run `zhengtong migrate` first.")
    enterprise = {k: [c for c in v if c[:2] not in EXCLUDED_DIVISIONS] for k, v in by_section.items()}
    return _Industries(by_code, section_of, by_section, by_division, enterprise)


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def _brand(rng: random.Random) -> str:
    return "".join(rng.sample(BRAND_CHARS, 2))


def _person_name(rng: random.Random) -> str:
    r = rng.random
    given = GIVEN_CHARS[int(r() * len(GIVEN_CHARS))]
    if r() < 0.7:
        given += GIVEN_CHARS[int(r() * len(GIVEN_CHARS))]
    return SURNAMES[int(r() * len(SURNAMES))] + given


def _address(rng: random.Random, county: Region) -> str:
    city = "衡阳市" if county.level == Region.Level.DISTRICT else ""
    return f"{city}{county.name}{_brand(rng)}{rng.choice(ROAD_SUFFIXES)}{rng.randint(1, 399)}号"


def _phone(rng: random.Random) -> str:
    return f"0734-0{rng.randint(0, 999999):06d}"  # invented: no 0734 local number starts with 0


def _new_uscc(state: _State, prefix: str, county: str, *, modern: bool) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    while True:
        if modern:  # organisation codes issued with the USCC since 2015 start with MA
            body = "MA4" + "".join(state.rng.choices(alphabet, k=5))
        else:
            body = f"{state.rng.randint(0, 99999999):08d}"
        code = make_uscc(prefix, county, body)
        if code not in state.usccs:
            state.usccs.add(code)
            return code


def _unique_name(state: _State, make) -> str | None:
    for _ in range(30):
        name = make()
        if name not in state.names:
            state.names.add(name)
            return name
    return None


def _enterprise(state: _State, county: Region) -> dict[str, Any]:
    rng, ind = state.rng, state.industries
    section = "C" if rng.random() < 0.6 else _weighted(rng, OTHER_SECTIONS.items())
    codes = ind.enterprise_classes[section]
    code = rng.choice(codes)
    word = trade_word(ind.by_code[code].name)
    coop = section == "A" and rng.random() < 0.4
    form = "专业合作社" if coop else _weighted(rng, ENTERPRISE_FORMS)
    place = county.name if county.level != Region.Level.DISTRICT else "衡阳市"

    def make() -> str:
        lead = _weighted(rng, ((place, 7), ("湖南", 1.5), ("衡阳", 1.5)))
        return f"{lead}{_brand(rng)}{word}{form}"

    name = _unique_name(state, make)
    if name is None:
        return _enterprise(state, county)
    others = []
    if rng.random() < 0.12:
        for _ in range(rng.choice((1, 1, 2))):
            pool = ind.classes_by_division[code[:2]] if rng.random() < 0.7 else codes
            other = rng.choice(pool)
            if other != code and other not in others:
                others.append(other)
    return {"name": name, "kind": Unit.Kind.ENTERPRISE, "industry": code, "others": others,
            "uscc": _new_uscc(state, "93" if coop else "91", county.code, modern=True)}


def _public_institution(state: _State, county: Region) -> dict[str, Any]:
    rng = state.rng
    code, pattern, _, _ = _weighted(rng, ((p, p[2]) for p in PUBLIC_INSTITUTIONS))
    name = _unique_name(state, lambda: county.name + pattern.format(p=_brand(rng)))
    return {"name": name, "kind": Unit.Kind.PUBLIC_INSTITUTION, "industry": code, "others": [],
            "uscc": _new_uscc(state, "12", county.code, modern=False)}


def _government_body(state: _State, county: Region) -> dict[str, Any] | None:
    rng = state.rng
    free = [(c, n) for c, n in GOVERNMENT_BODIES if county.name + n not in state.names]
    if not free:
        return None
    code, body = rng.choice(free)
    state.names.add(county.name + body)
    return {"name": county.name + body, "kind": Unit.Kind.GOVERNMENT_BODY, "industry": code, "others": [],
            "uscc": _new_uscc(state, "11", county.code, modern=False)}


def _social_organisation(state: _State, county: Region) -> dict[str, Any]:
    rng, ind = state.rng, state.industries
    code, pattern, prefix, _ = _weighted(rng, ((s, s[3]) for s in SOCIAL_ORGANISATIONS))

    def make() -> str:
        trade = trade_word(ind.by_code[rng.choice(ind.classes_by_section["C"])].name)
        return county.name + pattern.format(t=trade, f=rng.choice(LEARNED_FIELDS), p=_brand(rng))

    name = _unique_name(state, make)
    return {"name": name, "kind": Unit.Kind.SOCIAL_ORGANISATION, "industry": code, "others": [],
            "uscc": _new_uscc(state, prefix, county.code, modern=False)}


def _generate_units(state: _State, count: int) -> list[tuple[Unit, list[str]]]:
    rng = state.rng
    result = []
    while len(result) < count:
        county = rng.choice(state.counties)
        kind = _weighted(rng, KIND_WEIGHTS)
        spec = None
        if kind == Unit.Kind.GOVERNMENT_BODY:
            spec = _government_body(state, county)
        elif kind == Unit.Kind.PUBLIC_INSTITUTION:
            spec = _public_institution(state, county)
        elif kind == Unit.Kind.SOCIAL_ORGANISATION:
            spec = _social_organisation(state, county)
        if spec is None or spec["name"] is None:
            spec = _enterprise(state, county)
        unit = Unit(
            uscc=spec["uscc"], name=spec["name"], name_key=natural_key(spec["name"]), kind=spec["kind"], county=county,
            industry=state.industries.by_code[spec["industry"]], address=_address(rng, county),
            legal_representative=_person_name(rng), contact_name=_person_name(rng), contact_phone=_phone(rng),
        )
        result.append((unit, spec["others"]))
    return result


def _site_kind(state: _State, unit: Unit) -> str:
    rng, code = state.rng, unit.industry.code
    section = state.industries.section_of[code]
    for c, _, _, kind in PUBLIC_INSTITUTIONS:
        if c == code:
            return kind
    if section == "C":
        return Site.Kind.FACTORY if rng.random() < 0.7 else Site.Kind.WORKSHOP
    if section == "E":
        return Site.Kind.CONSTRUCTION_SITE
    if section in "BD":
        return rng.choice((Site.Kind.FACTORY, Site.Kind.WORKSHOP, Site.Kind.OTHER))
    if section == "P":
        return Site.Kind.SCHOOL
    if section == "Q":
        return Site.Kind.WELFARE_HOME if code.startswith("85") else Site.Kind.HOSPITAL
    if section == "S":
        return Site.Kind.OFFICE
    return Site.Kind.OFFICE if rng.random() < 0.6 else Site.Kind.OTHER


ORDINALS = "一二三四五六七八九十"
SITE_LABELS = {  # (first site, further sites)
    Site.Kind.FACTORY: ("厂区", "{n}号厂区"), Site.Kind.WORKSHOP: ("生产车间", "{n}号车间"),
    Site.Kind.CONSTRUCTION_SITE: ("{b}项目工地", "{b}项目工地"), Site.Kind.OFFICE: ("办公楼", "{n}号办公楼"),
    Site.Kind.SCHOOL: ("", "{n}校区"), Site.Kind.HOSPITAL: ("", "{n}院区"), Site.Kind.WELFARE_HOME: ("", "{n}院区"),
    Site.Kind.OTHER: ("经营场所", "{n}号经营场所"),
}


def _generate_sites(state: _State, units: list[Unit], count: int) -> list[Site]:
    rng = state.rng
    if not units or not count:
        return []
    chosen = rng.sample(units, min(len(units), max(1, round(count * 0.8))))
    owners = chosen + [rng.choice(chosen) for _ in range(count - len(chosen))]
    per_unit: dict[int, int] = {}
    taken: set[tuple[int, str]] = set()
    sites = []
    for unit in owners:
        n = per_unit[id(unit)] = per_unit.get(id(unit), 0) + 1
        kind = _site_kind(state, unit)
        first, further = SITE_LABELS[kind]
        name = unit.name + (first if n == 1 else further).format(n=ORDINALS[(n - 1) % 10], b=_brand(rng))
        while (id(unit), name) in taken:  # the name must be unique within the unit
            n += 1
            name = unit.name + further.format(n=n, b=_brand(rng))
        taken.add((id(unit), name))
        county = unit.county if rng.random() < 0.9 else rng.choice(state.counties)
        capacity = None
        if kind in (Site.Kind.SCHOOL, Site.Kind.HOSPITAL, Site.Kind.WELFARE_HOME):
            capacity = rng.randrange(40, 1500, 10) if kind != Site.Kind.WELFARE_HOME else rng.randrange(20, 200, 5)
        sites.append(Site(unit=unit, name=name, name_key=natural_key(name), kind=kind, county=county,
                          address=_address(rng, county), capacity=capacity))
    return sites


ID_SUFFIXES = tuple(f"{m:02d}0199{d}" for m in range(1, 13) for d in range(10))  # born on the 1st, 990–999


def _id_for(state: _State, county: str, cohort: str) -> tuple[str, int]:
    """A fresh number from the demo pool (see the module docstring) and its birth year: drawn at random
    from what is left of the county's pool for the cohort's birth years, or another county's once that is
    used up."""
    rng = state.rng
    others = None
    while True:
        pool = state.id_pools.get((county, cohort))
        if pool is None:
            lo, hi = (year + state.years for year in COHORTS[cohort])
            prefixes = [f"{_id_region(county, y)}{y:04d}" for y in range(lo, hi + 1)]
            pool = state.id_pools[(county, cohort)] = [p + s for p in prefixes for s in ID_SUFFIXES]
        while pool:
            i = int(rng.random() * len(pool))
            pool[i], pool[-1] = pool[-1], pool[i]
            body = pool.pop()
            if body not in state.id_bodies:
                state.id_bodies.add(body)
                return _id_number(body), int(body[6:10])
        if others is None:
            others = rng.sample([c.code for c in state.counties], len(state.counties))
        if not others:
            raise DemoError("The demo ID number pool is exhausted: load fewer people (--people).")
        county = others.pop()


def _ri(rng: random.Random, lo: int, hi: int) -> int:
    """rng.randint(lo, hi), three times as fast (the generator draws a few hundred thousand)."""
    return lo + int(rng.random() * (hi - lo + 1))


def _since(rng: random.Random, relation: str, born: int) -> tuple[date | None, date | None]:
    def day(year_lo: int, year_hi: int) -> date:
        return date(_ri(rng, year_lo, max(year_lo, year_hi)), _ri(rng, 1, 12), _ri(rng, 1, 28))

    if relation == SitePerson.Relation.VISITOR:
        return None, None
    if relation == SitePerson.Relation.INMATE:
        since = day(2010, 2019)
        if rng.random() < 0.04:  # due for release this spring: isolated inside before release
            return since, date(2020, _ri(rng, 3, 5), _ri(rng, 1, 28))
        return since, day(2020, 2032)
    if relation == SitePerson.Relation.RESIDENT:
        return day(max(born, 2008), 2019), None
    return day(max(born + 18, 2000), 2019), None


def _scaled(count: int, people: int) -> int:
    return max(2, round(count * min(1.0, people / DEFAULT_PEOPLE)))


def named_people_plan(people: int) -> list[tuple[str, str, str, int]]:
    """(unit key, relation, cohort, count) for the named sites' people at this total size. The welfare
    centre's 55 elders and 20 children are facts of the page and never scaled."""
    plan = []
    for unit in NAMED_UNITS:
        for relation, cohort, count in unit.people:
            fixed = unit.key == "welfare" and relation == SitePerson.Relation.RESIDENT
            plan.append((unit.key, relation, cohort, count if fixed else _scaled(count, people)))
    return plan


def _generate_people(
    state: _State, people: int, named_sites: dict[str, Site], sites: list[Site]
) -> tuple[list[dict[str, str]], list[tuple[int, int, str, date | None, date | None]]]:
    """Person rows (column values, stored exactly as services.person_register stores them) and their
    relations to sites as (person index, site id, relation, since, until; for an inmate, until is the
    release date)."""
    rng = state.rng
    persons: list[dict[str, str]] = []
    links: list[tuple[int, int, str, date | None, date | None]] = []
    counties = [c.code for c in state.counties]

    def add(site: Site, relation: str, cohort: str) -> None:
        home = site.county.code if rng.random() < 0.8 else rng.choice(counties)
        number, born = _id_for(state, home, cohort)
        persons.append({
            "name": _person_name(rng), "id_number_hash": id_number_hash(number),
            "id_number_masked": mask_id_number(number), "id_number_encrypted": encrypt_id_number(number),
        })
        since, until = _since(rng, relation, born - state.years)  # drawn in the story's time, then moved
        links.append((len(persons) - 1, site.pk, relation, since and since + state.shift,
                      until and until + state.shift))

    for key, relation, cohort, count in named_people_plan(people):
        for _ in range(count):
            add(named_sites[key], relation, cohort)
    rest = people - len(persons)
    if rest > 0 and sites:
        weights = [SITE_PEOPLE[s.kind] * rng.uniform(0.3, 2.0) for s in sites]
        for site in rng.choices(sites, weights, k=rest):
            if site.kind == Site.Kind.WELFARE_HOME:
                relation = SitePerson.Relation.RESIDENT if rng.random() < 0.7 else SitePerson.Relation.STAFF
                cohort = "adult" if relation == SitePerson.Relation.STAFF else rng.choice(("elder",) * 4 + ("child",))
            elif site.kind in (Site.Kind.FACTORY, Site.Kind.WORKSHOP, Site.Kind.CONSTRUCTION_SITE):
                relation = SitePerson.Relation.WORKER if rng.random() < 0.85 else SitePerson.Relation.STAFF
                cohort = "adult"
            else:
                relation, cohort = SitePerson.Relation.STAFF, "adult"
            add(site, relation, cohort)
    elif rest > 0:
        for _ in range(rest):
            add(named_sites["zhongke"], SitePerson.Relation.WORKER, "adult")
    # Visitors: about one person in five has also entered another, open site.
    open_sites = [s.pk for s in [*named_sites.values(), *sites] if s.kind not in CLOSED_KINDS]
    if len(open_sites) > 1:
        for i, first_site, *_ in list(links):
            if rng.random() >= 0.18:
                continue
            seen = {first_site}
            for _ in range(2 if rng.random() < 0.2 else 1):
                site_id = rng.choice(open_sites)
                if site_id not in seen:
                    seen.add(site_id)
                    links.append((i, site_id, SitePerson.Relation.VISITOR, None, None))
    return persons, links


def _insert(model, rows: list[dict[str, Any]]) -> None:
    """INSERT plain rows (attribute name → value) in batches, as bulk_create would but without building a
    model instance per row, which is most of bulk_create's time. Columns a row does not give get the
    field's default, and auto_now/auto_now_add fields the current time."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    given = [f for f in fields if f.attname in rows[0]]
    now = timezone.now()
    constants = {
        f.attname: f.get_db_prep_save(now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                                      else f.get_default(), connection)
        for f in fields if f not in given
    }
    plain = ("CharField", "TextField", "SlugField", "BigIntegerField", "IntegerField", "PositiveIntegerField",
             "BooleanField", "ForeignKey")
    prepare = [f for f in given if f.get_internal_type() not in plain]
    columns = [f.attname for f in given] + list(constants)
    names = {f.attname: f.column for f in fields}
    qn = connection.ops.quote_name
    sql = (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(names[c]) for c in columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    tail = tuple(constants.values())
    prepared: dict[tuple[str, Any], Any] = {}  # dates and the like repeat: prepare each value once

    def value(f, row):
        v = row[f.attname]
        if f not in prepare:
            return v
        key = (f.attname, v)
        if key not in prepared:
            prepared[key] = f.get_db_prep_save(v, connection)
        return prepared[key]

    # SQLite runs one prepared INSERT per row fastest (executemany); PostgreSQL one INSERT of many rows.
    multi_row = connection.vendor != "sqlite"
    step = min(BATCH, 30000 // len(columns)) if multi_row else BATCH * 5
    with connection.cursor() as cursor:
        for start in range(0, len(rows), step):
            batch = [tuple(value(f, row) for f in given) + tail for row in rows[start:start + step]]
            if multi_row:
                one = "(" + ", ".join(["%s"] * len(columns)) + ")"
                cursor.execute(sql.rsplit(" VALUES ", 1)[0] + " VALUES " + ", ".join([one] * len(batch)),
                               [v for row in batch for v in row])
            else:
                cursor.executemany(sql, batch)


# Loading -------------------------------------------------------------------------------------


def _say(stdout, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


def _hengyang_counties() -> list[Region]:
    counties = list(
        Region.objects.filter(parent__code=CITY, level__in=Region.COUNTY_LEVELS).order_by("code")
    )
    if not counties:
        raise DemoError("The GB/T 2260 regions of Hengyang are not loaded: run `zhengtong migrate` first.")
    return counties


def _demo_users():
    return get_user_model().objects.filter(username__in=DEMO_USERNAMES, email__endswith=DEMO_EMAIL_DOMAIN)


def _ensure_user(account: DemoAccount, password_hash: str):
    User = get_user_model()
    user = User.objects.filter(username=account.username).first() or User(username=account.username)
    if user.pk and not user.email.endswith(DEMO_EMAIL_DOMAIN):
        raise DemoError(
            f"A user named “{account.username}” already exists and is not a demo account; the demo would "
            "give it the public demo password. Rename that user or load the demo into another database."
        )
    user.first_name = account.title
    user.email = account.username + DEMO_EMAIL_DOMAIN
    user.is_staff = user.is_superuser = account.role == Role.CITY_ADMIN
    user.is_active = True
    user.password = password_hash
    user.save()
    return user


def _departments(admin, counties: list[Region]) -> list[Department]:
    specs = [{"code": c, "name": n, "kind": k, "region": CITY} for c, n, k in CITY_DEPARTMENTS]
    for county in counties:
        slug = COUNTY_SLUGS.get(county.code, f"r{county.code}")
        specs.append({"code": f"{slug}-gov", "name": f"{county.name}人民政府",
                      "kind": Department.Kind.COUNTY_GOVERNMENT, "region": county.code})
    for county in counties:  # invented: the ecology bureau's county branches, for permit reviewers
        slug = COUNTY_SLUGS.get(county.code, f"r{county.code}")
        specs.append({"code": f"sthjj-{slug}", "name": _branch_name(county), "parent": "sthjj",
                      "kind": Department.Kind.COUNTY_DEPARTMENT, "region": county.code})
    result = []
    for spec in specs:
        existing = Department.objects.filter(code=spec["code"]).first()
        existing = existing or Department.objects.filter(name=spec["name"]).first()
        result.append(existing or services.department_save(user=admin, data=spec))
    return result


def _named_units(admin) -> tuple[dict[str, Unit], dict[str, Site]]:
    units, sites = {}, {}
    for named in NAMED_UNITS:
        unit = services.unit_create(user=admin, data={
            "uscc": make_uscc(named.uscc_prefix, named.county, named.org_code), "name": named.name,
            "kind": named.kind, "county": named.county, "industry": named.industry,
            "other_industries": list(named.others), "address": named.address,
        })
        units[named.key] = unit
        sites[named.key] = services.site_create(user=admin, unit=unit, data={
            "name": named.site_name, "kind": named.site_kind, "county": named.county,
            "address": named.address, "capacity": named.capacity,
        })
    return units, sites


def _accounts(password_hash: str, admin, named_units, named_sites) -> None:
    for account in DEMO_ACCOUNTS:
        user = admin if account.username == "admin" else _ensure_user(account, password_hash)
        kind, key = account.scope
        scope = {
            "region": lambda k: Region.objects.get(code=k),
            "department": lambda k: Department.objects.get(code=k),
            "site": lambda k: named_sites[k],
            "unit": lambda k: named_units[k],
        }[kind](key)
        RoleAssignment.objects.filter(user=user).delete()
        RoleAssignment.objects.create(
            user=user, role=account.role, is_head=account.role == Role.DEPARTMENT_OFFICER, **{kind: scope}
        )


def _held_registration(named_sites) -> int:
    """One registration held for the city (registry.services.person_register): the prison's manager
    registers, with another name, an ID number known at another site. Returns how many (0 or 1)."""
    from zhengtong.registry import services
    from zhengtong.registry.identity import decrypt_id_number

    prison = named_sites["prison"]
    other = Person.objects.exclude(memberships__site=prison).filter(memberships__isnull=False).order_by("pk").first()
    manager = get_user_model().objects.filter(username="manager").first()
    if other is None or manager is None:
        return 0
    typed = other.name[:1] + "晓" + other.name[1:2]
    services.person_register(user=manager, site=prison, data={
        "name": typed if typed != other.name else typed + "某",
        "id_number": decrypt_id_number(other.id_number_encrypted),
        "relation": SitePerson.Relation.STAFF,
    })
    return 1


def load_demo(
    *, units: int = DEFAULT_UNITS, sites: int = DEFAULT_SITES, people: int = DEFAULT_PEOPLE,
    seed: int = DEFAULT_SEED, today: date | None = None, stdout=None,
) -> dict[str, Any]:
    """Load the demo city into the current database in one transaction; return the counts.

    ``units`` and ``sites`` count the generated rows besides the five named units and their sites;
    ``people`` counts every person, the named sites' people included. ``today`` (default: the real
    day) is the anchor: the newspaper's day is shown as ``today`` and every date of the story moves with
    it (core.demo_clock); it is passed to every app's demo loader. Then each scheduled job runs once as of the
    anchor, so that the first page shows what the worker would have made of the data. The caller
    decides whether the database may be loaded (see ``registry_counts`` and ``wipe_demo``)."""
    if min(units, sites, people) < 0:
        raise DemoError("Counts cannot be negative.")
    if sites and not units:
        raise DemoError("Generated sites need generated units: give --units more than 0 or --sites 0.")
    minimum = sum(count for *_, count in named_people_plan(people))
    if people < minimum:
        raise DemoError(f"The named sites alone hold {minimum} people: give --people {minimum} or more.")
    today = today or timezone.localdate()
    if today < story.STORY_DAY:
        raise DemoError(
            f"The demo cannot be shown before the newspaper's day ({story.STORY_DAY.isoformat()}): its "
            "history (the permits of 2017–2019) lies before that day. Give --today on or after it."
        )
    started = time.perf_counter()
    lap = started

    def done(label: str, count: int) -> None:
        nonlocal lap
        now = time.perf_counter()
        _say(stdout, f"  {_pad(label, 14)}{count:>8,}  {now - lap:5.1f} s")
        lap = now

    with transaction.atomic():
        state = _State(random.Random(seed), _hengyang_counties(), _load_industries(),
                       shift=story.shift(today), years=story.whole_years(today))
        password_hash = make_password(DEMO_PASSWORD)
        admin = _ensure_user(DEMO_ACCOUNTS[0], password_hash)
        departments = _departments(admin, state.counties)
        done("departments", len(departments))

        named_units, named_sites = _named_units(admin)
        state.usccs.update(u.uscc for u in named_units.values())
        state.names.update(u.name for u in named_units.values())
        generated = _generate_units(state, units)
        unit_fields = [f.attname for f in Unit._meta.concrete_fields if not f.primary_key
                       and f.attname not in ("created_at", "updated_at")]
        _insert(Unit, [{a: getattr(u, a) for a in unit_fields} for u, _ in generated])
        ids = dict(Unit.objects.values_list("uscc", "pk"))
        for unit, _ in generated:
            unit.pk, unit._state.adding, unit._state.db = ids[unit.uscc], False, connection.alias
        links = [{"unit_id": u.pk, "industry_id": state.industries.by_code[c].pk}
                 for u, others in generated for c in others]
        _insert(Unit.other_industries.through, links)
        done("units", len(named_units) + len(generated))

        site_rows = _generate_sites(state, [u for u, _ in generated], sites)
        Site.objects.bulk_create(site_rows, batch_size=BATCH)
        done("sites", len(named_sites) + len(site_rows))

        persons, memberships = _generate_people(state, people, named_sites, site_rows)
        _insert(Person, persons)
        person_ids = dict(Person.objects.values_list("id_number_hash", "pk"))
        done("people", len(persons))
        # An inmate's drawn end is the day their sentence ends, their release date: their relation ends
        # only when the release is recorded, after pre-release isolation (registry.services.inmate_release);
        # one released before the anchor day left then (a former inmate).
        inmate = SitePerson.Relation.INMATE
        rows = [{"site_id": site_id, "person_id": person_ids[persons[i]["id_number_hash"]], "relation": relation,
                 "since": since, "until": until if relation != inmate or (until and until < today) else None,
                 "release_date": until if relation == inmate else None}
                for i, site_id, relation, since, until in memberships]
        _insert(SitePerson, rows)
        done("relations", len(rows))

        _accounts(password_hash, admin, named_units, named_sites)
        done("accounts", len(DEMO_ACCOUNTS))
        done("held", _held_registration(named_sites))

        for label, app_demo in app_demos():  # the campaigns' own demo data (apps above the registry)
            done(label, app_demo.load(admin=admin, named_sites=named_sites, rng=state.rng, today=today))
        for job in scheduling.all_jobs():  # once each, as the worker would have run them by now
            summary = run_job_as_of(job, today)
            _say(stdout, f"  job {job.name}: {summary} ({time.perf_counter() - lap:.1f} s)")
            lap = time.perf_counter()
        story.record(today)

    return {
        "departments": len(departments), "units": len(named_units) + len(generated),
        "other_industries": len(links), "sites": len(named_sites) + len(site_rows), "people": len(persons),
        "relations": len(rows), "accounts": len(DEMO_ACCOUNTS), "seconds": time.perf_counter() - started,
    }


# Checking and removing -----------------------------------------------------------------------


def run_job_as_of(job: scheduling.Job, today: date) -> str:
    """Run a scheduled job as the worker would on the anchor day at the present time of day: a job
    function that takes ``today`` or ``now`` is given the anchor's (they all default to the real ones)."""
    function = job.function()
    parameters = inspect.signature(function).parameters
    if "now" in parameters:
        return function(now=story.now_at(today))
    if "today" in parameters:
        return function(today=today)
    return function()


def registry_counts() -> dict[str, int]:
    return {"units": Unit.objects.count(), "sites": Site.objects.count(), "people": Person.objects.count()}


def wipe_demo() -> dict[str, int]:
    """Delete every registry unit, site, person and department, their history, and the demo users (users
    named like a demo account whose e-mail address is not a demo one are left alone)."""
    counts = {**registry_counts(), "departments": Department.objects.count()}
    try:
        with transaction.atomic(), history_off():
            for _label, app_demo in reversed(app_demos()):  # the campaigns' data first: it refers to the registry
                app_demo.wipe()
            _demo_users().delete()
            story.forget()
            SitePerson.objects.all().delete()
            Person.objects.all().delete()
            Site.objects.all().delete()
            Unit.objects.all().delete()
            Department.objects.update(parent=None)
            Department.objects.all().delete()
            for model in (SitePerson, Person, Site, Unit, Department):
                model.history.all().delete()
    except (ProtectedError, RestrictedError) as e:
        blocking = getattr(e, "protected_objects", None) or getattr(e, "restricted_objects", ())
        blockers = sorted({f"{o._meta.verbose_name} “{o}”" for o in list(blocking)[:5]})
        raise DemoError(
            "Cannot delete the registry: other records still refer to it (" + "; ".join(blockers)
            + "). Remove them first, or start from an empty database."
        ) from None
    return counts


def account_rows() -> list[tuple[str, str, str, str]]:
    """(username, password, role, scope) of the demo accounts present in the database."""
    users = {
        u.username: u for u in _demo_users().prefetch_related(
            "assignments__region", "assignments__department", "assignments__site__unit", "assignments__unit"
        )
    }
    rows = []
    for account in DEMO_ACCOUNTS:
        user = users.get(account.username)
        if user is None:
            continue
        for a in user.assignments.all():
            if a.ended_at is not None:
                continue
            scope = a.scope
            if isinstance(scope, Region):
                text = f"{scope.name} {scope.code}"
            elif isinstance(scope, Site):
                text = f"{scope.name}（{scope.unit.name}）"
            else:
                text = str(scope)
            role = f"{account.title} {a.role}" + ("，负责人" if a.is_head else "")
            rows.append((user.username, DEMO_PASSWORD, role, text))
    return rows


def format_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    widths = [max(_width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(_pad(str(c), w) for c, w in zip(r, widths, strict=True)).rstrip() for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
