from django.db import migrations

from newsdesk.language import fold
from newsdesk.sanitize import plain_text

# Rows read and written at a time: memory stays flat on a large archive.
BATCH = 500


def fill_search(apps, schema_editor) -> None:
    # The same folding as NewsItem.fill_search, written out here because a
    # historical model has none of the model's methods.
    NewsItem = apps.get_model("newsdesk", "NewsItem")
    rows = NewsItem.objects.only("pk", "title", "summary").order_by("pk")
    last_pk = 0
    while batch := list(rows.filter(pk__gt=last_pk)[:BATCH]):
        for item in batch:
            parts = (item.title, item.summary)
            item.search = fold(" ".join(plain_text(part) for part in parts if part))
        NewsItem.objects.bulk_update(batch, ["search"])
        last_pk = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("newsdesk", "0005_newsitem_search"),
    ]

    operations = [
        migrations.RunPython(fill_search, migrations.RunPython.noop, elidable=True),
    ]
