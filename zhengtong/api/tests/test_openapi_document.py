"""What the OpenAPI document at /api/openapi.json says about input (issue 15, §6): constraints in JSON
Schema's own words, so that a generated client, and schemathesis in the suite, read them."""

import json

import pytest
from django.test import Client

from zhengtong.core.ids import MAX_ID
from zhengtong.core.schemas import TEXT_PATTERN, whole_number


@pytest.fixture(scope="module")
def document():
    return Client().get("/api/openapi.json").json()


def walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def test_no_constraint_is_written_in_pydantics_words_that_json_schema_does_not_know(document):
    for node in walk(document):
        assert not {"ge", "le", "gt", "lt"} & set(node), json.dumps(node)[:200]


def test_every_id_in_a_path_has_its_minimum_and_maximum(document):
    ids = [p for item in document["paths"].values() for op in item.values() for p in op.get("parameters", [])
           if p["in"] == "path" and p["name"].endswith("_id")]
    assert len(ids) >= 10
    for parameter in ids:
        assert (parameter["schema"]["minimum"], parameter["schema"]["maximum"]) == (1, MAX_ID), parameter


def test_a_patch_field_is_not_nullable_unless_null_means_something(document):
    schemas = document["components"]["schemas"]
    nullable = {name: {field for field, prop in schemas[name]["properties"].items()
                       if any(s.get("type") == "null" for s in prop.get("anyOf", []))}
                for name in ("UnitPatch", "SitePatch", "PersonPatch", "DepartmentPatch")}
    assert nullable == {"UnitPatch": set(), "SitePatch": {"capacity"}, "PersonPatch": set(),
                        "DepartmentPatch": {"parent"}}
    assert "required" not in schemas["SitePatch"]
    assert all("default" not in prop for prop in schemas["SitePatch"]["properties"].values()
               if "anyOf" not in prop)


def test_text_says_no_control_character_and_a_name_may_not_be_empty(document):
    unit = document["components"]["schemas"]["UnitIn"]["properties"]
    assert unit["address"]["pattern"] == TEXT_PATTERN and "minLength" not in unit["address"]
    assert unit["name"]["minLength"] == 1 and unit["name"]["type"] == "string"


@pytest.mark.parametrize(("value", "expected"), [
    ("12", "12"), ("1e+16", 10**16), ("1.2e1", 12), ("5.0", 5), ("1.5", "1.5"), ("abc", "abc"),
    ("1e999999999", "1e999999999"), ("NaN", "NaN"), (7, 7),
])
def test_a_whole_number_may_be_spelt_as_json_schema_allows(value, expected):
    assert whole_number(value) == expected


def test_true_is_not_a_whole_number():
    with pytest.raises(ValueError):
        whole_number(True)
