# Each project's overruns and their flag stored with its figures, the largest read from an index.

import django.db.models.expressions
import django.db.models.functions.comparison
import django.db.models.functions.math
import django.db.models.lookups
from decimal import Decimal
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('financing', '0012_gap_indexes'),
        ('projects', '0003_financing_structure_and_estimate_bounds'),
    ]

    operations = [
        migrations.AddField(
            model_name='datedprojectfigures',
            name='planned_end',
            field=models.DateField(null=True),
        ),
        migrations.AddField(
            model_name='projectfigures',
            name='planned_end',
            field=models.DateField(null=True),
        ),
        migrations.AddField(
            model_name='datedprojectfigures',
            name='overrun_pkr_percent',
            field=models.GeneratedField(db_persist=True, expression=django.db.models.functions.math.Round(models.ExpressionWrapper(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(models.F('current_cost_pkr'), '/', django.db.models.functions.comparison.NullIf(models.F('baseline_pkr'), models.Value(Decimal('0')))), '-', models.Value(Decimal('1'))), '*', models.Value(Decimal('100'))), output_field=models.DecimalField(decimal_places=1, max_digits=12)), 1, output_field=models.DecimalField(decimal_places=1, max_digits=12)), output_field=models.DecimalField(decimal_places=1, max_digits=12)),
        ),
        migrations.AddField(
            model_name='datedprojectfigures',
            name='overrun_usd_percent',
            field=models.GeneratedField(db_persist=True, expression=django.db.models.functions.math.Round(models.ExpressionWrapper(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(models.F('current_cost_usd'), '/', django.db.models.functions.comparison.NullIf(models.F('baseline_usd'), models.Value(Decimal('0')))), '-', models.Value(Decimal('1'))), '*', models.Value(Decimal('100'))), output_field=models.DecimalField(decimal_places=1, max_digits=12)), 1, output_field=models.DecimalField(decimal_places=1, max_digits=12)), output_field=models.DecimalField(decimal_places=1, max_digits=12)),
        ),
        migrations.AddField(
            model_name='portfoliosums',
            name='overruns',
            field=models.IntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='projectfigures',
            name='overrun_pkr_percent',
            field=models.GeneratedField(db_persist=True, expression=django.db.models.functions.math.Round(models.ExpressionWrapper(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(models.F('current_cost_pkr'), '/', django.db.models.functions.comparison.NullIf(models.F('baseline_pkr'), models.Value(Decimal('0')))), '-', models.Value(Decimal('1'))), '*', models.Value(Decimal('100'))), output_field=models.DecimalField(decimal_places=1, max_digits=12)), 1, output_field=models.DecimalField(decimal_places=1, max_digits=12)), output_field=models.DecimalField(decimal_places=1, max_digits=12)),
        ),
        migrations.AddField(
            model_name='projectfigures',
            name='overrun_usd_percent',
            field=models.GeneratedField(db_persist=True, expression=django.db.models.functions.math.Round(models.ExpressionWrapper(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(models.F('current_cost_usd'), '/', django.db.models.functions.comparison.NullIf(models.F('baseline_usd'), models.Value(Decimal('0')))), '-', models.Value(Decimal('1'))), '*', models.Value(Decimal('100'))), output_field=models.DecimalField(decimal_places=1, max_digits=12)), 1, output_field=models.DecimalField(decimal_places=1, max_digits=12)), output_field=models.DecimalField(decimal_places=1, max_digits=12)),
        ),
        migrations.AddField(
            model_name='datedprojectfigures',
            name='overrun_flagged',
            field=models.GeneratedField(db_persist=True, expression=django.db.models.functions.comparison.Coalesce(models.ExpressionWrapper(models.Q(django.db.models.lookups.GreaterThan(django.db.models.functions.math.Round(models.ExpressionWrapper(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(models.F('current_cost_usd'), '/', django.db.models.functions.comparison.NullIf(models.F('baseline_usd'), models.Value(Decimal('0')))), '-', models.Value(Decimal('1'))), '*', models.Value(Decimal('100'))), output_field=models.DecimalField(decimal_places=1, max_digits=12)), 1, output_field=models.DecimalField(decimal_places=1, max_digits=12)), models.Value(Decimal('5'))), django.db.models.lookups.GreaterThan(django.db.models.functions.math.Round(models.ExpressionWrapper(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(models.F('current_cost_pkr'), '/', django.db.models.functions.comparison.NullIf(models.F('baseline_pkr'), models.Value(Decimal('0')))), '-', models.Value(Decimal('1'))), '*', models.Value(Decimal('100'))), output_field=models.DecimalField(decimal_places=1, max_digits=12)), 1, output_field=models.DecimalField(decimal_places=1, max_digits=12)), models.Value(Decimal('5'))), django.db.models.lookups.GreaterThan(models.F('planned_end'), models.F('original_planned_end')), _connector='OR'), output_field=models.BooleanField()), models.Value(False), output_field=models.BooleanField()), output_field=models.BooleanField()),
        ),
        migrations.AddField(
            model_name='projectfigures',
            name='overrun_flagged',
            field=models.GeneratedField(db_persist=True, expression=django.db.models.functions.comparison.Coalesce(models.ExpressionWrapper(models.Q(django.db.models.lookups.GreaterThan(django.db.models.functions.math.Round(models.ExpressionWrapper(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(models.F('current_cost_usd'), '/', django.db.models.functions.comparison.NullIf(models.F('baseline_usd'), models.Value(Decimal('0')))), '-', models.Value(Decimal('1'))), '*', models.Value(Decimal('100'))), output_field=models.DecimalField(decimal_places=1, max_digits=12)), 1, output_field=models.DecimalField(decimal_places=1, max_digits=12)), models.Value(Decimal('5'))), django.db.models.lookups.GreaterThan(django.db.models.functions.math.Round(models.ExpressionWrapper(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(models.F('current_cost_pkr'), '/', django.db.models.functions.comparison.NullIf(models.F('baseline_pkr'), models.Value(Decimal('0')))), '-', models.Value(Decimal('1'))), '*', models.Value(Decimal('100'))), output_field=models.DecimalField(decimal_places=1, max_digits=12)), 1, output_field=models.DecimalField(decimal_places=1, max_digits=12)), models.Value(Decimal('5'))), django.db.models.lookups.GreaterThan(models.F('planned_end'), models.F('original_planned_end')), _connector='OR'), output_field=models.BooleanField()), models.Value(False), output_field=models.BooleanField()), output_field=models.BooleanField()),
        ),
        migrations.AddIndex(
            model_name='datedprojectfigures',
            index=models.Index(models.OrderBy(models.F('overrun_usd_percent'), descending=True, nulls_last=True), condition=models.Q(('known', True), ('overrun_flagged', True)), name='financing_datedfigures_late'),
        ),
        migrations.AddIndex(
            model_name='projectfigures',
            index=models.Index(models.OrderBy(models.F('overrun_usd_percent'), descending=True, nulls_last=True), condition=models.Q(('overrun_flagged', True)), name='financing_figures_late'),
        ),
    ]
