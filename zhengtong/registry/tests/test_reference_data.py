import pytest

from zhengtong.registry.models import Industry, Region

pytestmark = pytest.mark.django_db


def test_industry_counts_match_the_standard_with_amendment_1():
    counts = {level: Industry.objects.filter(level=level).count() for level in Industry.Level.values}
    assert counts == {"section": 20, "division": 97, "group": 473, "class": 1382}


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("4411", "火力发电"),
        ("3011", "水泥制造"),
        ("2221", "机制纸及纸板制造"),
        ("3110", "炼铁"),
        ("3120", "炼钢"),
        ("2611", "无机酸制造"),
        ("9231", "监察委员会"),
        ("1941", "羽毛（绒）加工"),
    ],
)
def test_known_industry_classes_are_exact(code, name):
    industry = Industry.objects.get(code=code)
    assert industry.name == name
    assert industry.level == "class"


def test_industry_tree_runs_from_class_to_section():
    cls = Industry.objects.get(code="4411")
    assert [cls.parent.code, cls.parent.parent.code, cls.parent.parent.parent.code] == ["441", "44", "D"]


def test_hengyang_has_its_twelve_county_level_divisions():
    hengyang = Region.objects.get(code="430400")
    counties = hengyang.children.all()
    assert counties.count() == 12
    assert all(c.is_county_level for c in counties)
    assert Region.objects.get(code="430422").name == "衡南县"
    assert hengyang.parent.code == "430000"
