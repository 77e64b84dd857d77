from django.db import migrations

CATEGORIES = [
    ("killed", "Killed", 10),
    ("injured", "Injured", 20),
    ("killed_or_injured", "Killed or injured", 30),
    ("civilians_killed", "Civilians killed", 40),
    ("children_killed", "Children killed", 50),
    ("women_killed", "Women killed", 60),
    ("missing", "Missing", 70),
    ("trapped", "Trapped", 80),
]


def add_categories(apps, schema_editor):
    CasualtyCategory = apps.get_model("incidents", "CasualtyCategory")
    for slug, name, position in CATEGORIES:
        CasualtyCategory.objects.update_or_create(
            slug=slug, defaults={"name": name, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("incidents", "0002_denial_same_incident")]

    operations = [migrations.RunPython(add_categories, migrations.RunPython.noop)]
