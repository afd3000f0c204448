# The largest funding gaps, now and as of a date, read in order from an index.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('financing', '0011_portfolio_sums'),
        ('projects', '0003_financing_structure_and_estimate_bounds'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='datedprojectfigures',
            index=models.Index(models.OrderBy(models.F('funding_gap_usd'), descending=True), models.OrderBy(models.F('uncommitted_usd'), descending=True), condition=models.Q(('counted_in_totals', True), ('known', True), ('uncommitted_usd__gt', 0)), name='financing_datedfigures_gaps'),
        ),
        migrations.AddIndex(
            model_name='projectfigures',
            index=models.Index(models.OrderBy(models.F('funding_gap_usd'), descending=True), models.OrderBy(models.F('uncommitted_usd'), descending=True), condition=models.Q(('counted_in_totals', True), ('uncommitted_usd__gt', 0)), name='financing_figures_gaps'),
        ),
    ]
