"""Every item gets a score and the reasons for it, in Spanish and English."""

import pytest

from newsdesk import clustering
from newsdesk.language import detect_language, stems
from newsdesk.models import Term
from newsdesk.vocabulary import SEED_TERMS, seed_vocabulary

from .review_factories import make_item, make_source


@pytest.fixture(autouse=True)
def vocabulary(db):
    clustering.reset_index()
    seed_vocabulary()


def terms(item) -> set[str]:
    return {reason["term"] for reason in item.matched_terms}


def test_language_of_spanish_and_english_items():
    assert (
        detect_language("La UPME publicó el plan de expansión de transmisión") == "es"
    )
    assert (
        detect_language("The ministry said the auction will be held in March") == "en"
    )
    assert detect_language("Regalías de carbón: qué cambia") == "es"


def test_spanish_item_matches_accent_and_stem_variants():
    # given an outlet that writes without accents and in plural
    source = make_source()

    # when it publishes about coal mining
    item = make_item(
        source,
        "MINERIA DE CARBON: nuevas regalias para los municipios",
        "La Agencia Nacional de Minería anunció subastas de bloques de carbones.",
    )

    # then the accented vocabulary still finds it, with its reasons
    assert item.language == "es"
    assert {
        "minería",
        "carbón",
        "regalías",
        "Agencia Nacional de Minería",
        "subasta",
    } <= terms(item)
    title_reasons = {r["term"]: r for r in item.matched_terms if r["field"] == "title"}
    summary_reasons = {
        r["term"]: r for r in item.matched_terms if r["field"] == "summary"
    }
    # The title weighs twice the summary for the same term.
    assert title_reasons["carbón"]["weight"] == 2 * summary_reasons["carbón"]["weight"]
    assert item.score >= 10


def test_english_item_matches_stemmed_terms():
    source = make_source("Energy Wire")

    item = make_item(
        source,
        "Colombia's energy transition: wind power auctions attract bidders",
        "The Ministry of Mines and Energy and UPME said tariffs would fall.",
    )

    assert item.language == "en"
    assert {"energy transition", "wind power", "auction", "UPME", "tariffs"} <= terms(
        item
    )
    assert item.score >= 10


def test_multi_word_terms_match_only_as_phrases():
    source = make_source()

    # "gas" and "natural" far apart are not "gas natural"
    apart = make_item(source, "El gas llegó a la zona natural protegida del parque")
    together = make_item(source, "Sube el precio del gas natural en la costa")

    assert "gas natural" not in terms(apart)
    assert "gas natural" in terms(together)
    assert together.score > apart.score


def test_a_phrase_is_found_after_a_first_loose_word():
    source = make_source()

    # the first "gas" starts no phrase; the second does
    later = make_item(source, "El gas sube; el gas natural importado, más")

    assert "gas natural" in terms(later)


def test_irrelevant_text_scores_low():
    source = make_source()

    sports = make_item(
        source,
        "El equipo ganó la final del torneo en el último minuto",
        "Los aficionados celebraron en las calles de la ciudad.",
    )
    english = make_item(source, "Local bakery wins award for best bread in town")

    assert sports.score == 0
    assert english.score == 0
    assert sports.matched_terms == []


def test_entities_match_whole_words_only():
    source = make_source()

    # "xm" inside another word is not the grid operator XM
    item = make_item(source, "Maxima afluencia en la feria de Boxmania")
    operator = make_item(source, "XM reporta demanda récord de energía")

    assert "XM" not in terms(item)
    assert "XM" in terms(operator)


def test_seed_is_idempotent_and_keeps_editors_changes():
    # given an editor lowered the weight of a seeded term
    Term.objects.filter(text="oro", language="es").update(weight=0.2)

    # when the seed runs again
    added = seed_vocabulary()

    # then nothing is duplicated and the edit survives
    assert added == 0
    assert Term.objects.count() == len(SEED_TERMS)
    assert Term.objects.get(text="oro", language="es").weight == 0.2


def test_disabled_term_stops_counting():
    source = make_source()
    Term.objects.filter(text="hidrógeno").update(enabled=False)

    item = make_item(source, "Primer proyecto de hidrógeno verde en La Guajira")

    assert "hidrógeno" not in terms(item)


def test_short_stems_do_not_match_other_words():
    source = make_source()

    # "solar" stems to "sol" in Spanish: the sun must not count as solar power
    sunny = make_item(
        source, "Día de sol en la playa y buen clima para el fin de semana"
    )
    panels = make_item(source, "Paneles solares llegan a escuelas rurales")

    assert "solar" not in terms(sunny)
    assert "solar" in terms(panels)


@pytest.mark.parametrize("language", ["es", "en"])
def test_figures_are_compared_as_written(language):
    figures = ["500", "2050", "2024"]

    assert stems([*figures, "megavatios"], language)[:3] == figures
