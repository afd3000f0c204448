# The portfolio's sums (now and as of each JCC meeting), and the keys they are grouped by stored with the figures.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('financing', '0010_funding_parts_stored'),
        ('projects', '0003_financing_structure_and_estimate_bounds'),
    ]

    operations = [
        migrations.CreateModel(
            name='PortfolioMoment',
            fields=[
                ('date', models.DateField(primary_key=True, serialize=False)),
            ],
        ),
        migrations.AddField(
            model_name='datedprojectfigures',
            name='sector',
            field=models.CharField(default='', max_length=20),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='projectfigures',
            name='sector',
            field=models.CharField(default='', max_length=20),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='projectfigures',
            name='status_then',
            field=models.CharField(default='', max_length=20),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name='datedprojectfigures',
            name='project',
            field=models.ForeignKey(on_delete=django.db.models.deletion.DO_NOTHING, related_name='dated_figures', to='projects.project'),
        ),
        migrations.AlterField(
            model_name='projectfigures',
            name='project',
            field=models.OneToOneField(on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='figures', serialize=False, to='projects.project'),
        ),
        migrations.CreateModel(
            name='PortfolioSums',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('moment', models.DateField(null=True)),
                ('dimension', models.CharField(choices=[('all', 'All'), ('sector', 'Sector'), ('status', 'Status')], max_length=10)),
                ('key', models.CharField(blank=True, max_length=30)),
                ('projects', models.IntegerField()),
                ('costed', models.IntegerField()),
                ('sections_in_parent', models.IntegerField()),
                ('undisclosed', models.IntegerField()),
                ('over_committed', models.IntegerField()),
                ('uncosted_committed', models.IntegerField()),
                ('cost_usd', models.DecimalField(decimal_places=2, max_digits=24)),
                ('cost_pkr', models.DecimalField(decimal_places=2, max_digits=24)),
                ('committed_usd', models.DecimalField(decimal_places=2, max_digits=24)),
                ('committed_unknown_usd', models.DecimalField(decimal_places=2, max_digits=24)),
                ('pipeline_usd', models.DecimalField(decimal_places=2, max_digits=24)),
                ('gap_usd', models.DecimalField(decimal_places=2, max_digits=24)),
                ('over_committed_usd', models.DecimalField(decimal_places=2, max_digits=24)),
                ('committed_uncosted_usd', models.DecimalField(decimal_places=2, max_digits=24)),
            ],
            options={
                'verbose_name_plural': 'portfolio sums',
                'constraints': [models.UniqueConstraint(fields=('moment', 'dimension', 'key'), name='financing_portfoliosums_key', nulls_distinct=False)],
            },
        ),
        migrations.CreateModel(
            name='LenderSums',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('moment', models.DateField(null=True)),
                ('status', models.CharField(choices=[('proposed', 'Proposed'), ('in_plan', 'In the approved financing plan'), ('under_negotiation', 'Under negotiation'), ('agreed', 'Agreed'), ('signed', 'Signed'), ('disbursing', 'Disbursing'), ('completed', 'Completed'), ('declined', 'Declined'), ('withdrawn', 'Withdrawn'), ('superseded', 'Superseded by another line')], max_length=20)),
                ('syndicate_line', models.BigIntegerField(null=True)),
                ('lines', models.IntegerField()),
                ('value_usd', models.DecimalField(decimal_places=2, max_digits=24)),
                ('lender', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='financing.lender')),
            ],
            options={
                'verbose_name_plural': 'lender sums',
                'constraints': [models.UniqueConstraint(fields=('moment', 'lender', 'status', 'syndicate_line'), name='financing_lendersums_key', nulls_distinct=False)],
            },
        ),
    ]
