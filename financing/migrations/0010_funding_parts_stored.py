# The parts of a project's cost (financing.models.funding_parts) stored as generated columns of the read model.

import django.db.models.expressions
import django.db.models.functions.comparison
from decimal import Decimal
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('financing', '0009_line_read_model'),
    ]

    operations = [
        migrations.AddField(
            model_name='datedprojectfigures',
            name='committed_part_usd',
            field=models.GeneratedField(db_persist=True, expression=models.Case(models.When(current_cost_usd__isnull=True, then=models.Value(None)), default=django.db.models.functions.comparison.Least(models.F('committed_usd'), models.F('current_cost_usd')), output_field=models.DecimalField(decimal_places=2, max_digits=24)), output_field=models.DecimalField(decimal_places=2, max_digits=24, null=True)),
        ),
        migrations.AddField(
            model_name='datedprojectfigures',
            name='committed_unknown_usd',
            field=models.GeneratedField(db_persist=True, expression=models.Case(models.When(current_cost_usd__isnull=True, then=models.Value(None)), default=models.Case(models.When(financing_closed=True, then=django.db.models.functions.comparison.Greatest(django.db.models.expressions.CombinedExpression(models.F('current_cost_usd'), '-', models.F('committed_usd')), models.Value(Decimal('0'), output_field=models.DecimalField(decimal_places=2, max_digits=24)), output_field=models.DecimalField(decimal_places=2, max_digits=24))), models.When(has_undisclosed=True, then=django.db.models.functions.comparison.Greatest(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(models.F('current_cost_usd'), '-', models.F('committed_usd')), '-', models.F('pipeline_usd')), models.Value(Decimal('0'), output_field=models.DecimalField(decimal_places=2, max_digits=24)))), default=models.Value(Decimal('0'), output_field=models.DecimalField(decimal_places=2, max_digits=24)), output_field=models.DecimalField(decimal_places=2, max_digits=24)), output_field=models.DecimalField(decimal_places=2, max_digits=24)), output_field=models.DecimalField(decimal_places=2, max_digits=24, null=True)),
        ),
        migrations.AddField(
            model_name='datedprojectfigures',
            name='funding_gap_usd',
            field=models.GeneratedField(db_persist=True, expression=models.Case(models.When(current_cost_usd__isnull=True, then=models.Value(None)), default=models.Case(models.When(models.Q(('financing_closed', True), ('has_undisclosed', True), _connector='OR'), then=models.Value(Decimal('0'), output_field=models.DecimalField(decimal_places=2, max_digits=24))), default=django.db.models.functions.comparison.Greatest(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(models.F('current_cost_usd'), '-', models.F('committed_usd')), '-', models.F('pipeline_usd')), models.Value(Decimal('0'), output_field=models.DecimalField(decimal_places=2, max_digits=24))), output_field=models.DecimalField(decimal_places=2, max_digits=24)), output_field=models.DecimalField(decimal_places=2, max_digits=24)), output_field=models.DecimalField(decimal_places=2, max_digits=24, null=True)),
        ),
        migrations.AddField(
            model_name='datedprojectfigures',
            name='pipeline_part_usd',
            field=models.GeneratedField(db_persist=True, expression=models.Case(models.When(current_cost_usd__isnull=True, then=models.Value(None)), default=models.Case(models.When(financing_closed=True, then=models.Value(Decimal('0'), output_field=models.DecimalField(decimal_places=2, max_digits=24))), default=django.db.models.functions.comparison.Least(models.F('pipeline_usd'), django.db.models.functions.comparison.Greatest(django.db.models.expressions.CombinedExpression(models.F('current_cost_usd'), '-', models.F('committed_usd')), models.Value(Decimal('0'), output_field=models.DecimalField(decimal_places=2, max_digits=24)), output_field=models.DecimalField(decimal_places=2, max_digits=24))), output_field=models.DecimalField(decimal_places=2, max_digits=24)), output_field=models.DecimalField(decimal_places=2, max_digits=24)), output_field=models.DecimalField(decimal_places=2, max_digits=24, null=True)),
        ),
        migrations.AddField(
            model_name='datedprojectfigures',
            name='uncommitted_usd',
            field=models.GeneratedField(db_persist=True, expression=models.Case(models.When(current_cost_usd__isnull=True, then=models.Value(None)), default=django.db.models.expressions.CombinedExpression(models.Case(models.When(financing_closed=True, then=models.Value(Decimal('0'), output_field=models.DecimalField(decimal_places=2, max_digits=24))), default=django.db.models.functions.comparison.Least(models.F('pipeline_usd'), django.db.models.functions.comparison.Greatest(django.db.models.expressions.CombinedExpression(models.F('current_cost_usd'), '-', models.F('committed_usd')), models.Value(Decimal('0'), output_field=models.DecimalField(decimal_places=2, max_digits=24)), output_field=models.DecimalField(decimal_places=2, max_digits=24))), output_field=models.DecimalField(decimal_places=2, max_digits=24)), '+', models.Case(models.When(models.Q(('financing_closed', True), ('has_undisclosed', True), _connector='OR'), then=models.Value(Decimal('0'), output_field=models.DecimalField(decimal_places=2, max_digits=24))), default=django.db.models.functions.comparison.Greatest(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(models.F('current_cost_usd'), '-', models.F('committed_usd')), '-', models.F('pipeline_usd')), models.Value(Decimal('0'), output_field=models.DecimalField(decimal_places=2, max_digits=24))), output_field=models.DecimalField(decimal_places=2, max_digits=24))), output_field=models.DecimalField(decimal_places=2, max_digits=24)), output_field=models.DecimalField(decimal_places=2, max_digits=24, null=True)),
        ),
        migrations.AddField(
            model_name='projectfigures',
            name='committed_part_usd',
            field=models.GeneratedField(db_persist=True, expression=models.Case(models.When(current_cost_usd__isnull=True, then=models.Value(None)), default=django.db.models.functions.comparison.Least(models.F('committed_usd'), models.F('current_cost_usd')), output_field=models.DecimalField(decimal_places=2, max_digits=24)), output_field=models.DecimalField(decimal_places=2, max_digits=24, null=True)),
        ),
        migrations.AddField(
            model_name='projectfigures',
            name='committed_unknown_usd',
            field=models.GeneratedField(db_persist=True, expression=models.Case(models.When(current_cost_usd__isnull=True, then=models.Value(None)), default=models.Case(models.When(financing_closed=True, then=django.db.models.functions.comparison.Greatest(django.db.models.expressions.CombinedExpression(models.F('current_cost_usd'), '-', models.F('committed_usd')), models.Value(Decimal('0'), output_field=models.DecimalField(decimal_places=2, max_digits=24)), output_field=models.DecimalField(decimal_places=2, max_digits=24))), models.When(has_undisclosed=True, then=django.db.models.functions.comparison.Greatest(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(models.F('current_cost_usd'), '-', models.F('committed_usd')), '-', models.F('pipeline_usd')), models.Value(Decimal('0'), output_field=models.DecimalField(decimal_places=2, max_digits=24)))), default=models.Value(Decimal('0'), output_field=models.DecimalField(decimal_places=2, max_digits=24)), output_field=models.DecimalField(decimal_places=2, max_digits=24)), output_field=models.DecimalField(decimal_places=2, max_digits=24)), output_field=models.DecimalField(decimal_places=2, max_digits=24, null=True)),
        ),
        migrations.AddField(
            model_name='projectfigures',
            name='funding_gap_usd',
            field=models.GeneratedField(db_persist=True, expression=models.Case(models.When(current_cost_usd__isnull=True, then=models.Value(None)), default=models.Case(models.When(models.Q(('financing_closed', True), ('has_undisclosed', True), _connector='OR'), then=models.Value(Decimal('0'), output_field=models.DecimalField(decimal_places=2, max_digits=24))), default=django.db.models.functions.comparison.Greatest(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(models.F('current_cost_usd'), '-', models.F('committed_usd')), '-', models.F('pipeline_usd')), models.Value(Decimal('0'), output_field=models.DecimalField(decimal_places=2, max_digits=24))), output_field=models.DecimalField(decimal_places=2, max_digits=24)), output_field=models.DecimalField(decimal_places=2, max_digits=24)), output_field=models.DecimalField(decimal_places=2, max_digits=24, null=True)),
        ),
        migrations.AddField(
            model_name='projectfigures',
            name='pipeline_part_usd',
            field=models.GeneratedField(db_persist=True, expression=models.Case(models.When(current_cost_usd__isnull=True, then=models.Value(None)), default=models.Case(models.When(financing_closed=True, then=models.Value(Decimal('0'), output_field=models.DecimalField(decimal_places=2, max_digits=24))), default=django.db.models.functions.comparison.Least(models.F('pipeline_usd'), django.db.models.functions.comparison.Greatest(django.db.models.expressions.CombinedExpression(models.F('current_cost_usd'), '-', models.F('committed_usd')), models.Value(Decimal('0'), output_field=models.DecimalField(decimal_places=2, max_digits=24)), output_field=models.DecimalField(decimal_places=2, max_digits=24))), output_field=models.DecimalField(decimal_places=2, max_digits=24)), output_field=models.DecimalField(decimal_places=2, max_digits=24)), output_field=models.DecimalField(decimal_places=2, max_digits=24, null=True)),
        ),
        migrations.AddField(
            model_name='projectfigures',
            name='uncommitted_usd',
            field=models.GeneratedField(db_persist=True, expression=models.Case(models.When(current_cost_usd__isnull=True, then=models.Value(None)), default=django.db.models.expressions.CombinedExpression(models.Case(models.When(financing_closed=True, then=models.Value(Decimal('0'), output_field=models.DecimalField(decimal_places=2, max_digits=24))), default=django.db.models.functions.comparison.Least(models.F('pipeline_usd'), django.db.models.functions.comparison.Greatest(django.db.models.expressions.CombinedExpression(models.F('current_cost_usd'), '-', models.F('committed_usd')), models.Value(Decimal('0'), output_field=models.DecimalField(decimal_places=2, max_digits=24)), output_field=models.DecimalField(decimal_places=2, max_digits=24))), output_field=models.DecimalField(decimal_places=2, max_digits=24)), '+', models.Case(models.When(models.Q(('financing_closed', True), ('has_undisclosed', True), _connector='OR'), then=models.Value(Decimal('0'), output_field=models.DecimalField(decimal_places=2, max_digits=24))), default=django.db.models.functions.comparison.Greatest(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(models.F('current_cost_usd'), '-', models.F('committed_usd')), '-', models.F('pipeline_usd')), models.Value(Decimal('0'), output_field=models.DecimalField(decimal_places=2, max_digits=24))), output_field=models.DecimalField(decimal_places=2, max_digits=24))), output_field=models.DecimalField(decimal_places=2, max_digits=24)), output_field=models.DecimalField(decimal_places=2, max_digits=24, null=True)),
        ),
    ]
