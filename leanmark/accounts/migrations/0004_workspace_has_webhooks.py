from django.db import migrations, models


def mark_workspaces_with_webhooks(apps, schema_editor):
    Workspace = apps.get_model("accounts", "Workspace")
    Webhook = apps.get_model("integrations", "Webhook")
    listening = Webhook.objects.filter(active=True).values("workspace_id")
    Workspace.objects.filter(pk__in=listening).update(has_webhooks=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_addresses_unique_in_any_case"),
        ("integrations", "0002_workspace_owned"),
    ]

    operations = [
        migrations.AddField(
            model_name="workspace",
            name="has_webhooks",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(mark_workspaces_with_webhooks, migrations.RunPython.noop),
    ]
