"""Create the portal's sections (see revue.text.categories.SECTIONS)."""

from django.db import migrations

from revue.text.categories import SECTIONS


def create_sections(apps, schema_editor):
    Category = apps.get_model("news", "Category")
    for slug, name, position, _keywords in SECTIONS:
        Category.objects.update_or_create(slug=slug, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("news", "0001_initial")]
    operations = [migrations.RunPython(create_sections, migrations.RunPython.noop)]
