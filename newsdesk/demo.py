"""Demo feeds, served by the running desk so the real fetch path runs.

Every outlet and headline here is invented for the demo; none is copied
from a real outlet. Article links sit under demo.upme.gov.co, a name the
demo never fetches, on a real top-level domain so X's rules count them as
links (23 characters) in the composer. Dates are relative to the moment the feed is served,
so a demo always looks current.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone


@dataclass(frozen=True)
class DemoEntry:
    slug: str
    title: str
    summary: str
    hours_ago: float


@dataclass(frozen=True)
class DemoFeed:
    slug: str
    name: str
    format: str  # "rss" or "atom"
    site: str
    entries: tuple[DemoEntry, ...]


FEEDS: dict[str, DemoFeed] = {
    feed.slug: feed
    for feed in (
        DemoFeed(
            slug="boletin-minero",
            name="Boletín Minero del Caribe (demo)",
            format="rss",
            site="https://demo.upme.gov.co/boletin-minero",
            entries=(
                DemoEntry(
                    "subasta-renovables-2027",
                    "Gobierno anuncia nueva subasta de energías renovables para 2027",
                    "La subasta de contratos de largo plazo busca sumar 4 GW de "
                    "energía eólica y solar; la UPME publicará los pliegos en "
                    "enero.",
                    1,
                ),
                DemoEntry(
                    "carbon-guajira-exportaciones",
                    "Exportaciones de carbón desde La Guajira caen 12 % en el "
                    "trimestre",
                    "Los productores atribuyen la caída a los precios "
                    "internacionales y a bloqueos en la vía férrea.",
                    3,
                ),
                DemoEntry(
                    "niquel-cordoba-titulos",
                    "Agencia minera otorga dos títulos para exploración de níquel "
                    "en Córdoba",
                    "Los títulos cubren 3.200 hectáreas y exigen consulta previa "
                    "con las comunidades de la zona.",
                    6,
                ),
                DemoEntry(
                    "oro-pequena-mineria-formalizacion",
                    "Pequeños mineros de oro en Antioquia piden ampliar plazo de "
                    "formalización",
                    "Más de 400 unidades productivas esperan la resolución de sus "
                    "solicitudes ante la autoridad minera.",
                    9,
                ),
                DemoEntry(
                    "regalias-mineras-balance",
                    "Regalías mineras superan los 5 billones de pesos en el año",
                    "El balance del sistema general de regalías muestra un aumento "
                    "por el carbón y el oro.",
                    14,
                ),
                DemoEntry(
                    "cobre-exploracion-choco",
                    "Inicia exploración de cobre en el Chocó con monitoreo "
                    "ambiental comunitario",
                    "El proyecto incluye veedurías locales y reportes trimestrales "
                    "sobre el uso del agua.",
                    20,
                ),
                DemoEntry(
                    "hidrogeno-verde-piloto",
                    "Primer piloto de hidrógeno verde en Cartagena entra en operación",
                    "La planta de electrólisis de 5 MW abastecerá a la refinería "
                    "y servirá de referencia para la hoja de ruta del hidrógeno.",
                    26,
                ),
            ),
        ),
        DemoFeed(
            slug="energia-hoy",
            name="Energía Hoy (demo)",
            format="atom",
            site="https://demo.upme.gov.co/energia-hoy",
            entries=(
                DemoEntry(
                    "subasta-renovables-2027-energia-hoy",
                    "Nueva subasta de energías renovables en 2027: el Gobierno "
                    "confirma la convocatoria",
                    "La convocatoria de contratos de largo plazo apunta a 4 GW "
                    "eólicos y solares, con pliegos de la UPME en enero.",
                    2,
                ),
                DemoEntry(
                    "tarifas-energia-costa",
                    "Tarifas de energía en la Costa Caribe bajarían desde febrero",
                    "La CREG estudia ajustes en el componente de pérdidas y en la "
                    "opción tarifaria.",
                    4,
                ),
                DemoEntry(
                    "linea-transmision-retraso",
                    "Señalan retrasos en la línea de transmisión que conectará los "
                    "parques eólicos",
                    "El proyecto de 500 kV acumula 18 meses de atraso por "
                    "licencias ambientales.",
                    7,
                ),
                DemoEntry(
                    "gas-natural-regasificadora",
                    "Gas natural: avanza la regasificadora del Pacífico",
                    "La terminal garantizaría el suministro de gas natural al "
                    "suroccidente ante la caída de las reservas.",
                    11,
                ),
                DemoEntry(
                    "solar-tolima-granja",
                    "Granja solar de 100 MW en el Tolima entra en pruebas",
                    "XM confirmó la conexión al Sistema Interconectado Nacional "
                    "para las pruebas de potencia.",
                    16,
                ),
                DemoEntry(
                    "embalses-nivel-fenomeno",
                    "Nivel de los embalses llega al 72 % antes de la temporada seca",
                    "El operador del sistema recomienda seguimiento semanal a la "
                    "generación hidroeléctrica.",
                    22,
                ),
                DemoEntry(
                    "zni-ipse-paneles",
                    "IPSE lleva paneles solares a 30 comunidades de zonas no "
                    "interconectadas",
                    "Las soluciones individuales beneficiarán a 1.800 familias en "
                    "Vaupés y Guainía.",
                    30,
                ),
            ),
        ),
        DemoFeed(
            slug="petroleo-y-gas",
            name="Petróleo y Gas al Día (demo)",
            format="rss",
            site="https://demo.upme.gov.co/petroleo-y-gas",
            entries=(
                DemoEntry(
                    "anh-ronda-exploracion",
                    "ANH presenta balance de contratos de exploración vigentes",
                    "La agencia reporta 180 contratos activos y la perforación de "
                    "35 pozos exploratorios en el año.",
                    2.5,
                ),
                DemoEntry(
                    "produccion-crudo-noviembre",
                    "Producción de petróleo se mantiene en 770.000 barriles diarios",
                    "El Ministerio de Minas y Energía atribuye la estabilidad a "
                    "campos maduros de los Llanos.",
                    5,
                ),
                DemoEntry(
                    "transicion-energetica-hoja-ruta",
                    "Transición energética: expertos debaten la hoja de ruta a 2050",
                    "El foro reunió a gremios, academia y entidades del sector "
                    "para discutir metas de descarbonización.",
                    10,
                ),
                DemoEntry(
                    "gas-importado-invierno",
                    "Importaciones de gas natural crecerían el próximo año",
                    "Analistas advierten sobre la dependencia del gas importado y "
                    "piden nuevas exploraciones costa afuera.",
                    18,
                ),
                DemoEntry(
                    "festival-cine-bogota",
                    "Festival de cine independiente abre convocatoria en Bogotá",
                    "Los cortometrajes podrán inscribirse hasta el 15 de marzo.",
                    24,
                ),
            ),
        ),
    )
}


def entry_time(entry: DemoEntry, now: datetime | None = None) -> datetime:
    # Anchored to the hour so repeated polls see the same dates and a
    # re-fetch is never taken for an edit.
    now = (now or timezone.now()).replace(minute=0, second=0, microsecond=0)
    return now - timedelta(hours=entry.hours_ago)
