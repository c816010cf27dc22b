"""The language of an item, from a title alone up to its lead."""

import pytest

from newsdesk import clustering
from newsdesk.language import detect_language
from newsdesk.vocabulary import seed_vocabulary

from .review_factories import make_item, make_source


@pytest.mark.parametrize(
    "title",
    [
        "Colombia coal auction",
        "Oil prices rise",
        "Coal exports fall",
        "Hydrogen strategy launched",
        "Colombia crude output",
        "Ecopetrol quarterly profit jumps",
        "Solar farm opens",
        "Oil slips",
        "Refinery outage",
        "Mining royalties reform",
        "Colombia's oil output falls",
        "COLOMBIA OIL OUTPUT DROPS",
        "Ecopetrol Shares Slide After CEO Exit",
        # Places and companies with Spanish names stay names.
        "Cerrejón strike ends",
        "Bogotá faces blackouts",
        "Frontera Energy results",
        "Wind projects stall in La Guajira",
    ],
)
def test_short_english_titles_are_english(title):
    assert detect_language(title) == "en"


@pytest.mark.parametrize(
    "title",
    [
        "Ecopetrol reporta utilidades récord",
        "Gas natural sube",
        "Ecopetrol nombra presidente",
        "Hidrógeno verde avanza",
        "Ministra anuncia plan",
        "Apagones amenazan Caribe",
        "Tarifa de gas",
        "Vanti sube tarifas",
        "UPME publica convocatoria",
        "Embalses bajan",
        "Oro ilegal",
        "Paro minero",
        "¿Habrá racionamiento?",
        "MINERÍA ILEGAL EN EL BAJO CAUCA",
        "Colombia Exportará Carbón A Europa",
    ],
)
def test_short_spanish_titles_are_spanish(title):
    assert detect_language(title) == "es"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (
            "A produção de petróleo da Petrobras cresceu no terceiro trimestre "
            "do ano, informou a empresa em comunicado",
            "pt",
        ),
        (
            "Le gouvernement annonce une nouvelle politique énergétique pour la "
            "France et ses voisins",
            "fr",
        ),
        (
            "Die Bundesregierung beschließt neue Regeln für den Ausbau der "
            "Windenergie an Land",
            "de",
        ),
        (
            "Нефть дорожает на фоне сокращения добычи нефти странами ОПЕК и их "
            "союзниками",
            "ru",
        ),
    ],
)
def test_a_long_text_in_another_language_is_named(text, language):
    assert detect_language(text) == language


@pytest.mark.parametrize(
    "title",
    ["Petrobras anuncia lucro recorde", "Fujitsu macht alles dicht", "Oil slips"],
)
def test_a_short_title_is_never_guessed_a_third_language(title):
    assert detect_language(title) in ("es", "en")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # Long titles with almost no function words.
        (
            "Drummond, Glencore, Prodeco: carboneras colombianas enfrentan caída "
            "histórica exportaciones 2024",
            "es",
        ),
        (
            "Canacol Energy cuts 2024 gas production guidance, shares plunge "
            "record low Toronto",
            "en",
        ),
    ],
)
def test_long_headlines_stay_spanish_or_english(text, language):
    assert detect_language(text) == language


@pytest.mark.parametrize("text", ["", "UPME", "2024", "石油价格上涨"])
def test_text_with_no_telling_has_no_language(text):
    assert detect_language(text) == ""


@pytest.mark.django_db
def test_short_english_title_is_scored_with_english_terms():
    # given the sector vocabulary
    clustering.reset_index()
    seed_vocabulary()

    # when an outlet publishes a bare English headline
    item = make_item(make_source("Energy Wire"), "Colombia coal auction")

    # then it is English, and its English terms count
    assert item.language == "en"
    assert {"coal", "auction"} <= {reason["term"] for reason in item.matched_terms}
