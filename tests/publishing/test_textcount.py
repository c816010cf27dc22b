import pytest
import yaml

from publishing import textcount
from tests.conftest import shared_path

SECTION = "WeightedTweetsWithDiscountedEmojiCounterTest"


def conformance_cases() -> list[dict]:
    path = shared_path("peer-suites", "twitter-text", "validate.yml")
    return yaml.safe_load(path.read_text(encoding="utf-8"))["tests"][SECTION]


def test_every_v3_conformance_case_is_counted_like_x():
    cases = conformance_cases()
    assert len(cases) >= 20

    failures = []
    for case in cases:
        length = textcount.measure(case["text"])
        expected = case["expected"]
        got = {
            "weightedLength": length.weighted_length,
            "valid": length.valid,
            "permillage": length.permillage,
            "validRangeStart": 0,
            "validRangeEnd": length.valid_range_end,
            "displayRangeStart": 0,
            "displayRangeEnd": length.display_range_end,
        }
        if got != expected:
            failures.append((case["description"], got, expected))

    assert failures == []


@pytest.mark.parametrize(
    ("text", "weighted"),
    [
        ("Gas natural: https://www.upme.gov.co/demanda-gas-2026", 36),
        ("Energía solar ☀️ en La Guajira", 30),
        ("Aviso 😀👩‍👩‍👧‍👦", 10),
        ("電力 plan", 9),
    ],
)
def test_urls_count_23_and_emoji_and_cjk_count_2(text, weighted):
    assert textcount.measure(text).weighted_length == weighted


def test_windows_line_endings_count_like_the_browser_counter():
    # given a textarea value as the browser submits it ("\r\n")
    submitted = "Línea uno\r\nLínea dos"

    # then it counts as the live counter showed it ("\n" in the textarea)
    assert textcount.measure(submitted).weighted_length == 19
    assert textcount.normalize_line_endings(submitted) == "Línea uno\nLínea dos"


def test_empty_text_has_the_ranges_of_the_javascript_library():
    length = textcount.measure("")

    assert (length.weighted_length, length.valid, length.valid_range_end) == (
        0,
        False,
        0,
    )


def test_over_length_text_is_refused_in_spanish():
    error = textcount.validation_error("x" * 281)

    assert error is not None
    assert "281 de 280" in error
    assert textcount.validation_error("x" * 280) is None
    assert textcount.validation_error("   \n ") == "El texto para X está vacío."


PARITY_TEXTS = [
    "",
    "Hola",
    "La UPME publica la subasta 2026: https://www.upme.gov.co/subasta #Energía",
    "Línea uno\nLínea dos\n\nfin",
    "Café, ñandú y pingüino 🐧 en www.example.com.co/ruta?x=1",
    "Familia 👨‍👩‍👧 y banderas 🇨🇴🇪🇸 con tono 👍🏽",
    "混合 テキスト 한국어 y español",
    "á" * 281,
    "Caracter inválido \ufffe aquí",
    "e\u0301 compuesto",
]


def test_the_vendored_browser_counter_gives_the_same_numbers(tmp_path):
    import json
    import shutil
    import subprocess
    from pathlib import Path

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed; the browser bundle cannot run here")
    bundle = (
        Path(__file__).resolve().parents[2] / "static/vendor/twitter-text-3.1.0.min.js"
    )
    script = tmp_path / "count.js"
    script.write_text(
        "global.window = {};\n"
        f"require({json.dumps(str(bundle))});\n"
        "const texts = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
        "console.log(JSON.stringify(texts.map(t => window.twttr.txt.parseTweet(t))));\n"
    )

    answer = subprocess.run(
        [node, str(script)],
        input=json.dumps(PARITY_TEXTS),
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )

    for text, browser in zip(PARITY_TEXTS, json.loads(answer.stdout), strict=True):
        server = textcount.measure(text)
        assert (server.weighted_length, server.valid, server.valid_range_end) == (
            browser["weightedLength"],
            browser["valid"],
            browser["validRangeEnd"],
        ), text


def test_a_character_x_refuses_is_named_with_its_place():
    error = textcount.validation_error("Plan de\ufeff expansión")

    assert error is not None
    assert "U+FEFF (espacio invisible)" in error
    assert "posición 8, después de «Plan de»" in error


@pytest.mark.parametrize(
    "char", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2069"]
)
def test_hidden_direction_controls_are_refused(char):
    # X accepts them, but they make the post read differently than typed.
    error = textcount.validation_error(f"Plan {char}de expansión")

    assert error is not None
    assert f"U+{ord(char):04X}" in error
    assert "controles ocultos de dirección del texto" in error


def test_many_hidden_characters_are_summarised():
    error = textcount.validation_error("a\u202e" * 8)

    assert error is not None
    assert error.count("U+202E") == 5
    assert "y 3 más" in error


def test_ordinary_right_to_left_text_is_still_accepted():
    assert textcount.validation_error("Informe en árabe: تقرير الطاقة") is None


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Plan\x07 de expansión", "U+0007 (campana (BEL))"),
        ("\x1b[31mPlan de expansión", "U+001B (escape (ESC))"),
        ("Plan\x85 de expansión", "U+0085 (carácter de control)"),
        ("Plan\tde expansión", "U+0009 (tabulador)"),
    ],
)
def test_control_characters_are_refused_by_name(text, named):
    error = textcount.validation_error(text)

    assert error is not None
    assert "caracteres de control" in error
    assert named in error


@pytest.mark.parametrize(
    "text",
    ["\u200b", "\u2800\u2800", "\u00ad", "\u3164 \u200b", "\u2060\u180e\n"],
)
def test_a_text_of_only_invisible_characters_is_refused(text):
    error = textcount.validation_error(text)

    assert error is not None
    assert "solo tiene caracteres invisibles" in error
    assert f"U+{ord(text[0]):04X}" in error


def test_line_breaks_and_a_visible_text_with_a_soft_hyphen_are_accepted():
    assert textcount.validation_error("Plan de\nexpan\u00adsión") is None


FAKE_DOM = """
global.window = {};
require(process.argv[2]);
function element(extra) {
  const classes = new Set();
  return Object.assign({
    attributes: {}, hidden: true, textContent: "", dataset: {},
    classList: {toggle: (name, on) => on ? classes.add(name) : classes.delete(name),
                contains: (name) => classes.has(name)},
    setAttribute(name, value) { this.attributes[name] = value; },
    removeAttribute(name) { delete this.attributes[name]; },
    addEventListener(kind, handler) { this.handler = handler; },
  }, extra);
}
const count = element();
const counter = element({dataset: {max: "280"}, querySelector: () => count});
const textarea = element({value: ""});
const warning = element();
global.document = {
  querySelector: () => textarea,
  getElementById: (id) => ({"tweet-counter": counter, "hidden-chars": warning})[id],
};
require(process.argv[3]);
const answers = JSON.parse(require("fs").readFileSync(0, "utf8")).map((text) => {
  textarea.value = text;
  textarea.handler();
  return {warned: !warning.hidden, invalid: textarea.attributes["aria-invalid"] === "true"};
});
console.log(JSON.stringify(answers));
"""


def test_the_composer_warns_of_hidden_characters_while_typing(tmp_path):
    import json
    import shutil
    import subprocess
    from pathlib import Path

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed; the composer script cannot run here")
    static = Path(__file__).resolve().parents[2] / "static"
    script = tmp_path / "composer_check.js"
    script.write_text(FAKE_DOM)
    texts = [
        "Plan de expansión",
        "Plan \u202ede expansión",
        "Plan\ufeff",
        "تقرير",
        "Plan\x07 de expansión",
        "\x1b[31mPlan",
        "\u200b\u2800\u3164",
        "Plan\nde expansión",
    ]

    answer = subprocess.run(
        [
            node,
            str(script),
            str(static / "vendor/twitter-text-3.1.0.min.js"),
            str(static / "publishing/composer.js"),
        ],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )

    assert json.loads(answer.stdout) == [
        {"warned": False, "invalid": False},
        {"warned": True, "invalid": True},
        {"warned": True, "invalid": True},
        {"warned": False, "invalid": False},
        {"warned": True, "invalid": True},
        {"warned": True, "invalid": True},
        {"warned": True, "invalid": True},
        {"warned": False, "invalid": False},
    ]
