"""Seed the sector vocabulary, so relevance works on a new database."""

from django.db import migrations


def seed(apps, schema_editor):
    from newsdesk.vocabulary import seed_vocabulary

    seed_vocabulary(term_model=apps.get_model("newsdesk", "Term"))


class Migration(migrations.Migration):
    dependencies = [("newsdesk", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
