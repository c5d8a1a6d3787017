"""Stories: fields and indexes for duplicates and clustering (filled in by the stories work)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("news", "0002_default_categories")]
    operations = []
