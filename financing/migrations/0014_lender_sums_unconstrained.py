# A lender's sums left at zero may outlive the lender: no foreign key constraint.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("financing", "0013_stored_overruns"),
    ]

    operations = [
        migrations.AlterField(
            model_name="lendersums",
            name="lender",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="financing.lender",
            ),
        ),
    ]
