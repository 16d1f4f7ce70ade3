"""Permit certificates as PDF (zhengtong.permits.certificates), on unsaved permits: no database.

What a reader sees is checked with poppler-utils (pdftotext, pdffonts, pdftoppm): these tests are
skipped where it is missing, and fail instead when ZT_REQUIRE_BROWSER=1 (CI). Text found by
pdftotext does not prove the glyphs show (a page of empty boxes extracts just as well), so the
font is also checked embedded, its glyphs checked to have outlines, and a page rendered.
The checks marked "fpdf2-level" need no external tool and always run."""

import io
import os
import re
import shutil
import subprocess
import time
import zlib
from datetime import date

import pytest
from fontTools import ttLib
from fontTools.cffLib import CFFFontSet

from zhengtong.core import pdf as pdf_fonts
from zhengtong.permits import certificates
from zhengtong.permits.certificates import certificate_pdf
from zhengtong.permits.models import Permit

REQUIRED = os.environ.get("ZT_REQUIRE_BROWSER") == "1"
NUMBER = "91430422MA4L0000XX001P"
NATIONAL = "91430422MA4L0000XX001V"
PLAN = ["废水总排口化学需氧量、氨氮采用自动监测。", "总磷每日监测一次，手工监测。",
        "锅炉废气颗粒物、二氧化硫、氮氧化物每季度监测一次。"]
POLLUTANTS = ["化学需氧量", "氨氮", "总磷", "颗粒物", "二氧化硫", "氮氧化物"]


def make_permit(outlets: int = 2, limits: int = 3, **fields) -> Permit:
    """An unsaved permit; outlets alternate water (DW…) and air (DA…)."""
    outlet_list = []
    for i in range(outlets):
        medium = "W" if i % 2 == 0 else "A"
        outlet_list.append({
            "code": f"D{medium}{i + 1:03d}", "name": "废水总排口" if medium == "W" else "锅炉废气排放口",
            "medium": medium, "destination": "湘江" if medium == "W" else "大气",
            "limits": [{"pollutant": POLLUTANTS[j % len(POLLUTANTS)], "concentration": str(100 - j),
                        "concentration_unit": "mg/L" if medium == "W" else "mg/m³",
                        "annual_quantity": f"{12.5 + j}", "standard": "GB 3544-2008"} for j in range(limits)],
        })
    content = {
        "unit_name": "衡阳湘江纸业有限公司", "uscc": "91430422MA4L0000XX",
        "address": "湖南省衡阳市衡南县云集街道工业园路18号", "legal_representative": "张三",
        "industries": ["2221 机制纸及纸板制造", "4411 火力发电"], "industry_codes": "2221 4411",
        "authority": "衡阳市生态环境局", "outlets": outlet_list, "monitoring_plan": "\n".join(PLAN),
        "duties": ["按本证要求开展自行监测。", "台账记录保存不少于5年。"],
    }
    values = {
        "number": NUMBER, "national_number": NATIONAL, "management_class": "key", "status": "valid",
        "decided_on": date(2024, 3, 15), "valid_from": date(2024, 3, 15), "valid_until": date(2029, 3, 14),
        "validity_basis": "条例第十四条", "content": content,
        "report_cadence": [{"kind": "annual", "label": "年度执行报告", "due": "次年1月15日前"},
                           {"kind": "quarterly", "label": "季度执行报告", "due": "季度结束后15日内"}],
    }
    values.update(fields)
    return Permit(**values)


def squash(text: str) -> str:
    """Text without whitespace: pdftotext -layout spaces CJK text unevenly and wraps table cells."""
    return re.sub(r"\s+", "", text)


def tool(name: str) -> str:
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} is not installed (Debian package poppler-utils)"
    if REQUIRED:
        pytest.fail(f"{message}; ZT_REQUIRE_BROWSER=1 requires it")
    pytest.skip(message)


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text: pdftotext -layout; where poppler is missing (and not required), pypdf if
    installed, else skip."""
    if shutil.which("pdftotext") or REQUIRED:
        out = subprocess.run([tool("pdftotext"), "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
        pages = out.stdout.decode("utf-8").split("\f")
        return pages[:-1] if pages and not pages[-1].strip() else pages
    pypdf = pytest.importorskip("pypdf", reason="neither pdftotext (poppler-utils) nor pypdf is installed")
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def render_page(pdf: bytes, page: int = 1):
    """One page as a greyscale PIL image at 50 dpi (pdftoppm)."""
    image_module = pytest.importorskip("PIL.Image", reason="Pillow is not installed")
    out = subprocess.run([tool("pdftoppm"), "-r", "50", "-png", "-f", str(page), "-l", str(page), "-"],
                         input=pdf, capture_output=True, check=True)
    return image_module.open(io.BytesIO(out.stdout)).convert("L")


def dark_pixels(image, box: tuple[float, float, float, float]) -> int:
    """Pixels darker than mid-grey inside ``box`` (fractions of the width and height)."""
    w, h = image.size
    region = image.crop((int(box[0] * w), int(box[1] * h), int(box[2] * w), int(box[3] * h)))
    return sum(region.histogram()[:128])


def stream(pdf: bytes, number: int) -> bytes:
    """The decoded content of the stream object ``number``."""
    match = re.search(rb"(?m)^%d 0 obj\s*<<(.*?)>>\s*stream\r?\n" % number, pdf, re.S)
    assert match, f"object {number} is not a stream"
    length = int(re.search(rb"/Length (\d+)", match.group(1)).group(1))
    data = pdf[match.end():match.end() + length]
    return zlib.decompress(data) if b"/FlateDecode" in match.group(1) else data


# The font ---------------------------------------------------------------------------------------


def test_the_face_used_is_noto_sans_cjk_sc_at_index_2():
    """The package's collection: face 2 is Noto Sans CJK SC, and that is the face chosen."""
    collection = ttLib.TTCollection(str(certificates.font_path()), lazy=True)
    names = [face["name"].getDebugName(1) for face in collection.fonts]
    collection.close()
    assert names[2] == "Noto Sans CJK SC"
    assert certificates.font_face_index() == 2


def test_fonts_are_embedded_per_pdffonts():
    pdffonts = tool("pdffonts")
    for copy in certificates.COPIES:
        out = subprocess.run([pdffonts, "-"], input=certificate_pdf(make_permit(), copy), capture_output=True,
                             check=True).stdout.decode()
        rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
        assert rows, out
        # name … emb sub uni object ID: "emb" is the fifth field from the end.
        assert any("NotoSansCJK" in row[0] and row[-5] == "yes" for row in rows), out
        assert all(row[-5] == "yes" for row in rows), f"a font is not embedded:\n{out}"


def test_font_is_embedded_with_real_outlines_fpdf2_level():
    """No external tool: the PDF embeds a CID CFF subset of Noto Sans CJK SC, nothing else, every
    character had a glyph, and the subset's glyphs have outlines (not empty boxes)."""
    permit = make_permit()
    document = certificates._render(permit, "duplicate")
    font = document.fonts[certificates.FONT_FAMILY.lower()]
    pdf = bytes(document.output())
    assert font.missing_glyphs == []
    assert re.search(rb"/BaseFont /[A-Z]{6}\+NotoSansCJKSC", pdf)
    assert b"/Subtype /CIDFontType0C" in pdf
    assert b"/Type1" not in pdf and b"/TrueType" not in pdf  # no core font slipped in

    top = embedded_cff(pdf)
    assert hasattr(top, "ROS")  # CID-keyed, as the original face
    charstrings = top.CharStrings
    drawn = {}
    for name in charstrings.keys():
        charstring = charstrings[name]
        if charstring.calcBounds(charstrings) is not None:
            charstring.compile()
            drawn[name] = charstring.bytecode
    used = {ch for ch in "排污许可证副本衡阳湘江纸业有限公司化学需氧量" if ch.strip()}
    assert len(drawn) > len(used)
    assert len(set(drawn.values())) == len(drawn)  # distinct outlines, not one box repeated


# The original -----------------------------------------------------------------------------------


def test_original_text():
    pages = page_texts(certificate_pdf(make_permit(), "original"))
    assert len(pages) == 1
    text = squash(pages[0])
    for expected in ["排污许可证", "正本", NUMBER, NATIONAL, "衡阳湘江纸业有限公司", "91430422MA4L0000XX",
                     "湖南省衡阳市衡南县云集街道工业园路18号", "张三", "2221机制纸及纸板制造", "4411火力发电",
                     "重点管理", "有效期限", "2024年3月15日至2029年3月14日", "衡阳市生态环境局", "发证日期"]:
        assert expected in text, expected
    assert "副本" not in text


def test_original_is_one_landscape_a4_page_even_with_long_fields():
    """fpdf2-level: one A4 landscape page, long fields shrinking the type rather than spilling over."""
    long = make_permit()
    long.content["address"] = "湖南省衡阳市衡南县云集街道工业园路18号" * 8
    long.content["industries"] = [f"{2200 + i} 机制纸及纸板制造" for i in range(30)]
    for permit in (make_permit(), long):
        document = certificates._render(permit, "original")
        assert document.pages_count == 1
        assert (round(document.w), round(document.h)) == (297, 210)
        pdf = bytes(document.output())
        assert b"/MediaBox [0 0 841.89 595.28]" in pdf
        assert len(re.findall(rb"/Type /Page\b(?!s)", pdf)) == 1


def test_original_leaves_out_an_empty_national_number_and_shows_an_ended_status():
    text = squash("".join(page_texts(certificate_pdf(make_permit(national_number="", status="revoked"),
                                                     "original"))))
    assert NUMBER in text
    assert "全国排污许可证管理信息平台编号" not in text
    assert "状态已撤销" in text


# The duplicate ----------------------------------------------------------------------------------


def test_duplicate_text():
    permit = make_permit(outlets=4, limits=3)
    text = squash("\n".join(page_texts(certificate_pdf(permit, "duplicate"))))
    for expected in ["排污许可证", "副本", NUMBER, "衡阳湘江纸业有限公司", "有效期限", "2024年3月15日至2029年3月14日",
                     "条例第十四条", "排放口编号", "（t/a）", "执行标准", "GB3544-2008",
                     "mg/L", "mg/m³", "大气", "水", "湘江", "自行监测要求", "年度", "年度执行报告", "次年1月15日前",
                     "季度执行报告", "按本证要求开展自行监测。", "台账记录保存不少于5年。"]:
        assert expected in text, expected
    for outlet in permit.content["outlets"]:
        assert outlet["code"] in text
        for limit in outlet["limits"]:
            assert limit["pollutant"] in text
            assert squash(f"{limit['concentration']} {limit['concentration_unit']}") in text
            assert limit["annual_quantity"] in text
    for line in PLAN:
        assert squash(line) in text, line


def test_long_duplicate_has_several_pages_each_with_the_footer():
    permit = make_permit(outlets=30, limits=5)
    pages = page_texts(certificate_pdf(permit, "duplicate"))
    total = len(pages)
    assert total >= 3
    for number, page in enumerate(pages, 1):
        text = squash(page)
        assert f"证书编号：{NUMBER}" in text, number
        assert f"第{number}页/共{total}页" in text, number
        if any(o["code"] in text for o in permit.content["outlets"]):
            assert "排放口编号" in text, f"page {number}: the outlets table's heading row is not repeated"
    text = squash("".join(pages))
    assert all(o["code"] in text for o in permit.content["outlets"])


def test_long_duplicate_footer_on_every_page_fpdf2_level():
    document = certificates._render(make_permit(outlets=30, limits=5), "duplicate")
    pdf = bytes(document.output())
    total = document.pages_count
    assert total >= 3
    assert len(re.findall(rb"/Type /Page\b(?!s)", pdf)) == total
    assert b"/MediaBox [0 0 595.28 841.89]" in pdf  # portrait A4
    assert document.footer_texts == [f"{NUMBER} 第 {n} 页 / 共 {{nb}} 页" for n in range(1, total + 1)]


def test_a_cell_too_long_for_a_page_falls_back_to_paragraphs():
    """fpdf2 cannot break a table row across pages: such a permit is written without tables."""
    permit = make_permit(outlets=2, limits=2)
    permit.content["outlets"][0]["limits"][0]["standard"] = "很长的执行标准名称" * 200
    document = certificates._render(permit, "duplicate")
    assert document.plain
    pdf = bytes(document.output())
    if shutil.which("pdftotext") or REQUIRED:
        pages = page_texts(pdf)
        text = "".join(squash(page).removesuffix(f"证书编号：{NUMBER}第{n}页/共{len(pages)}页")
                       for n, page in enumerate(pages, 1))
        assert "排放口编号：DW001" in text and "排放口编号：DA002" in text
        assert ("很长的执行标准名称" * 200) in text  # whole, across the page break


def test_minimal_unsaved_permit_renders():
    permit = Permit(number="91430422MA4L0000XX001P", content={}, report_cadence=[])
    for copy in certificates.COPIES:
        assert certificate_pdf(permit, copy).startswith(b"%PDF-")


# Rendering ---------------------------------------------------------------------------------------


def test_page_render_is_not_blank_and_shows_distinct_glyphs():
    """The title is drawn where it is placed, the duplicate's first page has text, and two
    permits whose unit names hold the same characters in another order render differently: with
    empty boxes for glyphs they would be pixel for pixel the same."""
    original = render_page(certificate_pdf(make_permit(), "original"))
    assert dark_pixels(original, (0.3, 0.08, 0.7, 0.18)) > 100  # 排污许可证
    assert dark_pixels(original, (0.1, 0.3, 0.9, 0.8)) > 500  # the fields
    duplicate = render_page(certificate_pdf(make_permit(), "duplicate"))
    assert dark_pixels(duplicate, (0.05, 0.1, 0.95, 0.9)) > 1000

    swapped = make_permit()
    swapped.content["unit_name"] = "衡阳江湘业纸有限公司"
    assert render_page(certificate_pdf(swapped, "original")).tobytes() != original.tobytes()


# The API -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("copy", ["other", "", "ORIGINAL", "副本"])
def test_unknown_copy_raises(copy):
    with pytest.raises(ValueError, match="copy"):
        certificate_pdf(make_permit(), copy)


def test_renders_are_deterministic_with_metadata():
    permit = make_permit()
    for copy in certificates.COPIES:
        first, second = certificate_pdf(permit, copy), certificate_pdf(permit, copy)
        assert first == second
        assert f"/Title ({NUMBER})".encode() in first
        assert b"/CreationDate (D:20240315000000+08'00')" in first


def test_a_duplicate_with_10_outlets_of_5_limits_renders_fast():
    permit = make_permit(outlets=10, limits=5)
    certificate_pdf(permit, "duplicate")  # the font is parsed once per process
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        certificate_pdf(permit, "duplicate")
        best = min(best, time.process_time() - start)
    assert best < 1.0, f"{best:.2f} s of CPU"


def embedded_cff(pdf: bytes):
    """The top dict of the embedded font program (the FontFile3 stream, a CID-keyed CFF)."""
    number = int(re.search(rb"/FontFile3 (\d+) 0 R", pdf).group(1))
    cff = CFFFontSet()
    cff.decompile(io.BytesIO(stream(pdf, number)), None)
    return cff.topDictIndex[0]


def objects_but_the_font_program(pdf: bytes) -> dict[int, bytes]:
    """The PDF's objects by number, less the FontFile3 stream (the xref offsets and the file ID
    follow from it)."""
    font_program = int(re.search(rb"/FontFile3 (\d+) 0 R", pdf).group(1))
    found = {int(n): body for n, body in re.findall(rb"(?ms)^(\d+) 0 obj\r?\n(.*?)endobj", pdf)}
    assert font_program in found
    del found[font_program]
    return found


def test_the_cached_font_gives_the_same_pdf_as_fpdf2_parsing_it_afresh(monkeypatch):
    """The per-process font cache (and the tables it leaves out) changes nothing in the PDF but
    the FontBBox inside the embedded font program, left as the whole face's (it is not recomputed
    for the subset): the same objects, the same glyphs with the same outlines."""
    permit = make_permit(outlets=3, limits=3)
    cached = {copy: certificate_pdf(permit, copy) for copy in certificates.COPIES}
    monkeypatch.setattr(certificates, "add_cjk_font", pdf_fonts.add_cjk_font_uncached)
    for copy in certificates.COPIES:
        fresh = certificate_pdf(permit, copy)
        assert objects_but_the_font_program(fresh) == objects_but_the_font_program(cached[copy]), copy
        ours, theirs = embedded_cff(cached[copy]), embedded_cff(fresh)
        assert ours.charset == theirs.charset
        for name in theirs.charset:
            ours.CharStrings[name].compile()
            theirs.CharStrings[name].compile()
            assert ours.CharStrings[name].bytecode == theirs.CharStrings[name].bytecode, name
