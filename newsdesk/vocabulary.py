"""The sector vocabulary the desk starts with.

Editors tune it in the admin afterwards; `seed_vocabulary` only adds the
terms that are missing, so their edits survive a second seed.
"""

from __future__ import annotations

from typing import NamedTuple

from django.db import transaction

from .models import Term


class Seed(NamedTuple):
    text: str
    language: str
    weight: float
    kind: str = Term.Kind.TERM


ES = Term.Language.SPANISH
EN = Term.Language.ENGLISH
BOTH = Term.Language.BOTH
ENTITY = Term.Kind.ENTITY

SEED_TERMS: tuple[Seed, ...] = (
    # Mining.
    Seed("minería", ES, 1.5),
    Seed("minero", ES, 1.0),
    Seed("mina", ES, 0.8),
    Seed("mining", EN, 1.5),
    Seed("carbón", ES, 1.2),
    Seed("coal", EN, 1.2),
    Seed("oro", ES, 1.0),
    Seed("gold", EN, 1.0),
    Seed("níquel", ES, 1.0),
    Seed("nickel", EN, 1.0),
    Seed("cobre", ES, 1.0),
    Seed("copper", EN, 1.0),
    Seed("esmeraldas", ES, 0.8),
    Seed("minerales estratégicos", ES, 1.2),
    Seed("critical minerals", EN, 1.2),
    Seed("regalías", ES, 1.2),
    Seed("royalties", EN, 1.0),
    # Oil and gas.
    Seed("petróleo", ES, 1.2),
    Seed("oil", EN, 1.0),
    Seed("crudo", ES, 1.0),
    Seed("crude", EN, 1.0),
    Seed("gas natural", ES, 1.2),
    Seed("natural gas", EN, 1.2),
    Seed("hidrocarburos", ES, 1.2),
    Seed("hydrocarbons", EN, 1.2),
    Seed("fracking", BOTH, 1.0),
    Seed("exploración", ES, 0.5),
    Seed("refinería", ES, 1.0),
    Seed("refinery", EN, 1.0),
    Seed("gas", BOTH, 0.6),
    # Electricity.
    Seed("energía eléctrica", ES, 1.2),
    Seed("electricity", EN, 1.2),
    Seed("energía", ES, 0.8),
    Seed("energy", EN, 0.8),
    Seed("transmisión", ES, 1.0),
    Seed("transmission", EN, 1.0),
    Seed("subasta", ES, 1.0),
    Seed("auction", EN, 1.0),
    Seed("tarifas", ES, 1.0),
    Seed("tariffs", EN, 1.0),
    Seed("embalses", ES, 0.8),
    Seed("racionamiento", ES, 1.0),
    Seed("hidroeléctrica", ES, 1.0),
    Seed("hydropower", EN, 1.0),
    Seed("interconexión", ES, 0.8),
    Seed("apagón", ES, 1.0),
    Seed("blackout", EN, 1.0),
    # Renewables and transition.
    Seed("eólica", ES, 1.2),
    Seed("wind power", EN, 1.2),
    Seed("wind farm", EN, 1.2),
    Seed("solar", BOTH, 1.2),
    Seed("fotovoltaica", ES, 1.0),
    Seed("hidrógeno", ES, 1.2),
    Seed("hydrogen", EN, 1.2),
    Seed("transición energética", ES, 1.5),
    Seed("energy transition", EN, 1.5),
    Seed("renovables", ES, 1.0),
    Seed("renewables", EN, 1.0),
    Seed("geotermia", ES, 1.0),
    Seed("comunidades energéticas", ES, 1.2),
    Seed("eficiencia energética", ES, 1.0),
    Seed("energy efficiency", EN, 1.0),
    # Institutions and companies of the sector.
    Seed("UPME", BOTH, 3.0, ENTITY),
    Seed("Unidad de Planeación Minero Energética", ES, 3.0, ENTITY),
    Seed("Ministerio de Minas y Energía", ES, 2.0, ENTITY),
    Seed("MinEnergía", BOTH, 2.0, ENTITY),
    Seed("Ministry of Mines and Energy", EN, 2.0, ENTITY),
    Seed("CREG", BOTH, 2.0, ENTITY),
    Seed("ANH", BOTH, 2.0, ENTITY),
    Seed("Agencia Nacional de Hidrocarburos", ES, 2.0, ENTITY),
    Seed("ANM", BOTH, 2.0, ENTITY),
    Seed("Agencia Nacional de Minería", ES, 2.0, ENTITY),
    Seed("XM", BOTH, 1.5, ENTITY),
    Seed("IPSE", BOTH, 2.0, ENTITY),
    Seed("Ecopetrol", BOTH, 1.5, ENTITY),
    Seed("SGC", BOTH, 1.5, ENTITY),
    Seed("Servicio Geológico Colombiano", ES, 1.5, ENTITY),
    Seed("Superservicios", BOTH, 1.0, ENTITY),
    Seed("ISA", BOTH, 1.0, ENTITY),
    Seed("OPEP", ES, 1.0, ENTITY),
    Seed("OPEC", EN, 1.0, ENTITY),
)


def seed_vocabulary(term_model: type[Term] = Term) -> int:
    """Add the seed terms that are missing; returns how many were added.

    A data migration passes its historical model: `apps.get_model(...)`.
    """
    existing = set(term_model.objects.values_list("text", "language"))
    missing = [
        term_model(
            text=seed.text,
            language=str(seed.language),
            weight=seed.weight,
            kind=str(seed.kind),
        )
        for seed in SEED_TERMS
        if (seed.text, seed.language) not in existing
    ]
    with transaction.atomic():
        term_model.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)
