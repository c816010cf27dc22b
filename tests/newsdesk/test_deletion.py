"""An administrator deletes a source or an item: its stories stay counted."""

import pytest
from django.urls import reverse

from newsdesk import clustering
from newsdesk.actions import deletion
from newsdesk.models import Cluster, NewsItem
from newsdesk.vocabulary import seed_vocabulary

from .review_factories import make_item, make_source

STORY = "Ecopetrol y la ANH anuncian subasta de bloques de gas natural costa afuera"
LEAD = "Los bloques de gas natural costa afuera saldrán a subasta."
OUTLETS = ("El Tiempo", "Portafolio", "Valora Analitik")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def vocabulary(db):
    clustering.reset_index()
    seed_vocabulary()


@pytest.fixture
def story() -> list[NewsItem]:
    """One story told by three outlets, the first telling shown."""
    items = [make_item(make_source(name), STORY, LEAD) for name in OUTLETS]
    cluster = Cluster.objects.get()
    assert (cluster.item_count, cluster.source_count) == (3, 3)
    return items


def test_deleting_a_source_in_the_admin_recounts_its_stories(
    admin_client, editor_client, story
):
    # when the administrator deletes one of the three outlets
    gone = story[1].source
    admin_client.post(
        reverse("admin:newsdesk_source_delete", args=[gone.pk]), {"post": "yes"}
    )

    # then the story counts two outlets, as the queue lists
    cluster = Cluster.objects.get()
    assert (cluster.item_count, cluster.source_count) == (2, 2)
    html = editor_client.get(reverse("newsdesk:queue")).content.decode()
    assert "2 fuentes" in html
    assert "3 fuentes" not in html


def test_deleting_the_representatives_source_picks_another(admin_client, story):
    representative = Cluster.objects.get().representative
    changelist = reverse("admin:newsdesk_source_changelist")

    # when its source goes with the bulk action
    admin_client.post(
        changelist,
        {
            "action": "delete_selected",
            "_selected_action": [representative.source_id],
            "post": "yes",
        },
    )

    # then another telling stands for the story
    cluster = Cluster.objects.get()
    assert cluster.representative_id in {item.pk for item in story}
    assert cluster.representative_id != representative.pk
    assert cluster.item_count == 2


def test_a_decided_story_keeps_one_row_when_its_representative_goes(story):
    # given a story the desk dismissed
    NewsItem.objects.update(status=NewsItem.Status.DISMISSED)
    representative = Cluster.objects.get().representative

    # when its representative is deleted
    deletion.delete_items(NewsItem.objects.filter(pk=representative.pk))

    # then the earliest remaining telling takes its place
    remaining = NewsItem.objects.order_by("published_at", "pk").first()
    assert Cluster.objects.get().representative_id == remaining.pk


def test_deleting_items_in_the_admin_recounts_and_drops_empty_stories(
    admin_client, story
):
    changelist = reverse("admin:newsdesk_newsitem_changelist")

    admin_client.post(
        reverse("admin:newsdesk_newsitem_delete", args=[story[0].pk]), {"post": "yes"}
    )
    assert Cluster.objects.get().item_count == 2

    admin_client.post(
        changelist,
        {
            "action": "delete_selected",
            "_selected_action": [story[1].pk, story[2].pk],
            "post": "yes",
        },
    )
    assert not NewsItem.objects.exists()
    assert not Cluster.objects.exists()
