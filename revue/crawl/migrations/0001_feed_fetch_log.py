import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("sources", "0003_entries_skipped")]

    operations = [
        migrations.CreateModel(
            name="FeedFetch",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
                ("outcome", models.CharField(choices=[("ok", "lu"), ("not_modified", "inchangé (304)"), ("error", "erreur"),
                                                      ("parked", "erreur, mis en pause")], max_length=12)),
                ("http_status", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("new_articles", models.PositiveIntegerField(default=0)),
                ("error", models.TextField(blank=True)),
                ("feed", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="fetches",
                                           to="sources.feed")),
            ],
            options={
                "verbose_name": "collecte d'un flux",
                "verbose_name_plural": "journal des collectes",
                "ordering": ["-at", "-id"],
                "indexes": [models.Index(fields=["feed", "-id"], name="feed_fetch_recent_idx")],
            },
        ),
    ]
