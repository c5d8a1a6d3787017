"""Stories: the copy link on articles, a story's lead article, and the clustering index
(``StoryFingerprint``: what is kept of each clustered article; ``StoryPosting``: the keys under
which candidates are looked up, by key and time). See ``revue.news.stories``."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0002_default_categories"),
        ("sources", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="duplicate_of",
            field=models.ForeignKey(blank=True, help_text="the first-seen original this article republishes (a near-duplicate)", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="copies", to="news.article"),
        ),
        migrations.AddField(
            model_name="story",
            name="lead",
            field=models.ForeignKey(blank=True, help_text="its most representative article (the title comes from it)", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="news.article"),
        ),
        migrations.CreateModel(
            name="StoryFingerprint",
            fields=[
                ("article", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name="fingerprint", serialize=False, to="news.article")),
                ("seq", models.BigIntegerField(help_text="order in which articles were clustered", unique=True)),
                ("time", models.BigIntegerField(db_index=True, help_text="publication time, epoch seconds")),
                ("language", models.CharField(blank=True, max_length=8)),
                ("signature", models.BinaryField()),
                ("size", models.PositiveIntegerField(default=0, help_text="shingles in its text")),
                ("words", models.BinaryField()),
                ("anchors", models.BinaryField()),
                ("transliterated", models.BinaryField()),
                ("figures", models.BinaryField()),
                ("title_figures", models.BinaryField()),
                ("lead_figures", models.BinaryField()),
                ("original", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="news.article")),
                ("outlet", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="sources.source")),
                ("story", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="fingerprints", to="news.story")),
            ],
            options={
                "indexes": [models.Index(fields=["story", "-time"], name="story_fingerprint_story_idx")],
            },
        ),
        migrations.CreateModel(
            name="StoryPosting",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.BigIntegerField()),
                ("time", models.BigIntegerField(help_text="the article's publication time, epoch seconds")),
                ("article", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="news.article")),
                ("story", models.ForeignKey(db_index=False, help_text="the article's story, read with the posting", on_delete=django.db.models.deletion.CASCADE, related_name="+", to="news.story")),
            ],
            options={
                "indexes": [models.Index(fields=["key", "-time", "-article"], name="story_posting_key_idx")],
            },
        ),
    ]
