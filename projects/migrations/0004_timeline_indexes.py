# The timeline's phases and projects read in the order of their end dates.

import django.db.models.functions.comparison
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0003_financing_structure_and_estimate_bounds'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='phase',
            index=models.Index(django.db.models.functions.comparison.Coalesce('actual_end', 'planned_end'), django.db.models.functions.comparison.Coalesce('actual_start', 'planned_start'), name='projects_phase_timeline'),
        ),
        migrations.AddIndex(
            model_name='project',
            index=models.Index(django.db.models.functions.comparison.Coalesce('actual_end', 'planned_end'), django.db.models.functions.comparison.Coalesce('actual_start', 'planned_start'), name='projects_project_timeline'),
        ),
    ]
