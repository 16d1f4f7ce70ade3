import pytest
from django.utils import translation

from zhengtong.registry.codes import CodeError, check_id_number, check_uscc, mask_id_number

GOOD_USCC = "91430400MA4L12345R"
GOOD_ID = "430422199003071236"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_a_good_uscc_is_accepted_and_normalised():
    assert check_uscc(" 91430400ma4l12345r ") == GOOD_USCC


def test_full_width_uscc_is_normalised():
    assert check_uscc("９１４３０４００ＭＡ４Ｌ１２３４５Ｒ") == GOOD_USCC


def test_uscc_of_wrong_length_says_how_long_it_is():
    with pytest.raises(CodeError, match="18 characters; this one has 17"):
        check_uscc(GOOD_USCC[:-1])


def test_uscc_with_a_forbidden_letter_names_it():
    with pytest.raises(CodeError, match="“I” cannot appear"):
        check_uscc("91430400MA4I12345R")


def test_uscc_with_letters_in_the_region_part_is_refused():
    with pytest.raises(CodeError, match="Characters 1–8"):
        check_uscc("9143040AMA4L12345R")


def test_uscc_with_a_wrong_check_character_says_what_it_should_be():
    with pytest.raises(CodeError, match="it is “Q” but should be “R”"):
        check_uscc(GOOD_USCC[:-1] + "Q")


def test_uscc_message_is_chinese_by_default():
    with translation.override("zh-hans"), pytest.raises(CodeError) as e:
        check_uscc(GOOD_USCC[:-1] + "Q")
    assert "校验" in str(e.value)


def test_a_good_id_number_is_accepted():
    assert check_id_number(GOOD_ID) == GOOD_ID
    assert check_id_number("43042220000101991" + "5") == "430422200001019915"


def test_id_number_with_wrong_check_digit_says_what_it_should_be():
    with pytest.raises(CodeError, match="it is “9” but should be “6”"):
        check_id_number(GOOD_ID[:-1] + "9")


def test_id_number_of_wrong_length():
    with pytest.raises(CodeError, match="18 characters; this one has 15"):
        check_id_number(GOOD_ID[:15])


def test_id_number_with_letters_in_the_body():
    with pytest.raises(CodeError, match="17 digits"):
        check_id_number("43042219900307A236")


def test_id_number_with_impossible_birth_date():
    code = "43042219901307123"
    from stdnum.cn import ric

    code += ric.calc_check_digit(code + "0")
    with pytest.raises(CodeError, match="birth date"):
        check_id_number(code)


def _with_check(body: str) -> str:
    from stdnum.cn import ric

    return body + ric.calc_check_digit(body + "0")


def test_a_region_code_created_after_the_birth_is_accepted_with_a_note():
    """Issue 16: 430408 (Zhengxiang district) exists from 2001; someone born in 1990 who registered
    their household there holds it. stdnum refuses the number; we accept it and say why."""
    from zhengtong.registry.codes import id_number_note

    code = _with_check("43040819900307123")
    assert check_id_number(code) == code
    assert "household registration" in id_number_note(code)
    assert id_number_note(GOOD_ID) == ""


def test_digits_of_other_scripts_are_refused():
    """'٣'.isdigit() and int('٣') are true in Python: only ASCII digits make an ID number."""
    with pytest.raises(CodeError, match="17 digits"):
        check_id_number("4" + "٣" + "0422199003071236")


def test_a_birth_date_in_the_future_is_refused():
    with pytest.raises(CodeError, match="future"):
        check_id_number(_with_check("43042221990307123"))


def test_id_number_is_masked_to_region_and_last_four():
    assert mask_id_number(GOOD_ID) == "430422********1236"
