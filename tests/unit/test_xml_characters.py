"""What ssml_text drops: exactly the characters XML 1.0 does not allow (its Char
production: tab, newline, carriage return, U+0020-U+D7FF, U+E000-U+FFFD and
U+10000-U+10FFFF), checked over every code point, so writing the pattern as the forbidden
set (cheaper to compile at a cold start) changed nothing."""

from spasm_coach.alexa.turn import ssml_text


def allowed_by_xml(code):
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF


def test_exactly_the_characters_xml_forbids_are_dropped():
    text = "".join(chr(code) for code in range(0x110000) if chr(code) not in "&<>")
    kept = ssml_text(text)
    assert kept == "".join(ch for ch in text if allowed_by_xml(ord(ch)))


def test_markup_is_escaped():
    assert ssml_text('a < b & c > "d"') == 'a &lt; b &amp; c &gt; "d"'
