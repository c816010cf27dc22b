"""The intake commands: add_source and fetch_sources."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from newsdesk.models import Source
from tests.newsdesk.feed_server import Canned

pytestmark = pytest.mark.django_db

RSS = b"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>
<item><title>Subasta de energ\xc3\xada e\xc3\xb3lica</title><guid>1</guid></item>
<item><title>Regal\xc3\xadas del carb\xc3\xb3n</title><guid>2</guid></item></channel></rss>"""


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def run_failing(*args: str) -> tuple[str, str]:
    """Output and errors of a command that must exit with status 1."""
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command(*args, stdout=out, stderr=err)
    assert exit_.value.code == 1
    return out.getvalue(), err.getvalue()


def test_add_source_accepts_rss_as_a_kind():
    output = run(
        "add_source",
        "--kind",
        "rss",
        "--name",
        "Diario",
        "--url",
        "https://diario.example/rss",
        "--interval",
        "30",
    )

    source = Source.objects.get()
    assert source.kind == Source.Kind.FEED
    assert source.interval == timedelta(minutes=30)
    assert f"id {source.pk}" in output


def test_add_source_rejects_bad_input_clearly():
    with pytest.raises(CommandError) as error:
        run("add_source", "--kind", "fax", "--name", "X", "--url", "no-es-url")

    assert "Tipo desconocido" in str(error.value)
    assert "no es una URL" in str(error.value)
    assert not Source.objects.exists()


def test_fetch_sources_polls_and_reports_in_spanish(feed_server):
    # given a working feed, a broken one and a disabled one
    good = Source.objects.create(
        name="Bueno", url=feed_server.route("/ok.xml", Canned(200, RSS))
    )
    Source.objects.create(
        name="Roto", url=feed_server.route("/roto.xml", Canned(404, b"no"))
    )
    Source.objects.create(
        name="Apagado",
        url=feed_server.route("/off.xml", Canned(200, RSS)),
        enabled=False,
    )

    # when
    output, errors = run_failing("fetch_sources")

    # then each source says how it went, and cron sees that one failed
    assert "Bueno: correcto, 2 entradas, 2 nuevas, 0 actualizadas." in output
    assert "Roto: error (HTTP 404): La dirección no existe" in output
    assert "http_404" not in output
    assert "Apagado" not in output
    assert "Resumen: 2 fuentes consultadas, 1 falló." in errors
    assert good.items.count() == 2


def test_fetch_sources_exits_cleanly_when_every_source_worked(feed_server):
    Source.objects.create(
        name="Bueno", url=feed_server.route("/ok.xml", Canned(200, RSS))
    )

    output = run("fetch_sources")

    assert "Resumen: 1 fuente consultada, ninguna falló." in output


def test_fetch_sources_with_one_failing_source_exits_with_status_1(feed_server):
    source = Source.objects.create(
        name="Roto", url=feed_server.route("/roto.xml", Canned(503, b"no"))
    )

    output, errors = run_failing("fetch_sources", "--source", str(source.pk))

    assert "Roto: error (HTTP 503)" in output
    assert "Resumen: 1 fuente consultada, 1 falló." in errors


@pytest.mark.parametrize("typed", ["abc", "0", "-3", "1.5"])
def test_fetch_sources_refuses_a_bad_id_in_spanish(typed):
    with pytest.raises(CommandError) as error:
        run("fetch_sources", "--source", typed)

    assert f"«{typed}» no es un id de fuente" in str(error.value)
    assert "invalid" not in str(error.value)


def test_fetch_sources_for_one_source(feed_server):
    source = Source.objects.create(
        name="Uno", url=feed_server.route("/uno.xml", Canned(200, RSS)), enabled=False
    )

    output = run("fetch_sources", "--source", str(source.pk))

    assert "Uno: correcto" in output


def test_an_interval_set_out_of_range_by_hand_does_not_lose_the_poll(
    feed_server, caplog
):
    # given a source whose row was given an interval of millennia by hand
    source = Source.objects.create(
        name="Uno", url=feed_server.route("/uno.xml", Canned(200, RSS))
    )
    Source.objects.filter(pk=source.pk).update(interval=timedelta(days=99_999_999))

    # when it is polled
    output = run("fetch_sources", "--source", str(source.pk))

    # then the items are kept and the interval is brought back within a week
    source.refresh_from_db()
    assert "Uno: correcto" in output
    assert source.items.count() == 2
    assert source.interval == timedelta(days=7)
    assert "out of bounds" in caplog.text


def test_fetch_sources_counts_in_the_singular_and_plural(feed_server):
    one = (
        b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
        b"<item><title>Subasta</title><guid>1</guid></item></channel></rss>"
    )
    Source.objects.create(name="Uno", url=feed_server.route("/1.xml", Canned(200, one)))

    output = run("fetch_sources")

    assert "Uno: correcto, 1 entrada, 1 nueva, 0 actualizadas." in output


def test_fetch_sources_with_an_unknown_id():
    with pytest.raises(CommandError) as error:
        run("fetch_sources", "--source", "999")

    assert "No existe una fuente con id 999" in str(error.value)
