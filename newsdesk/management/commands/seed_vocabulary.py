from django.core.management.base import BaseCommand

from newsdesk.vocabulary import SEED_TERMS, seed_vocabulary


class Command(BaseCommand):
    help = "Adds the sector's seed terms that are missing; keeps editors' changes."

    def handle(self, *args, **options) -> None:
        added = seed_vocabulary()
        self.stdout.write(
            f"Vocabulary: {added} terms added, {len(SEED_TERMS) - added} already present."
        )
