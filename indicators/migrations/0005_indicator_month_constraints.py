from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('indicators', '0004_indicator_departments'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='indicator',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('active', True), ('retired_from__isnull', True)), models.Q(('active', False), ('retired_from__isnull', False)), _connector='OR'), name='indicator_active_unless_retired'),
        ),
        migrations.AddConstraint(
            model_name='indicator',
            constraint=models.CheckConstraint(condition=models.Q(('active_from__isnull', True), ('retired_from__isnull', True), ('retired_from__gt', models.F('active_from')), _connector='OR'), name='indicator_retired_after_start'),
        ),
    ]
