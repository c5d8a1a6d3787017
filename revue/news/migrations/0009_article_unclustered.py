"""An index of the articles not in a story yet (#18): normally the batch a worker is settling,
and those a worker stored but died before settling, which the next run of any worker clusters
(``revue.news.stories.store.left_behind``) without reading the whole table."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('news', '0008_search_window_widths'),
        ('sources', '0004_websub'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='article',
            index=models.Index(condition=models.Q(('story__isnull', True)), fields=['id'], name='article_unclustered_idx'),
        ),
    ]
