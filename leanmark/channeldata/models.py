"""The canonical daily table of channel performance, and the imports that fill it (docs/data.md).

One row per workspace, day, source (the tool the numbers came from), channel, campaign, ad set and
currency. A measure the tool does not give is NULL, never 0. Amounts keep the currency they were
given in; ``CurrencyRate`` turns them into the workspace's currency when they are read.
Re-importing a source's days replaces that source's rows for those days, and every import is kept
(``DataImport``) with what it replaced.
"""

from django.conf import settings
from django.db import models

from leanmark.domain.channeldata import SOURCES
from leanmark.lib.models import WorkspaceOwned, WorkspaceQuerySet

SOURCE_CHOICES = list(SOURCES.items())


class DataImport(WorkspaceOwned):
    source = models.CharField(max_length=12, choices=SOURCE_CHOICES)
    file_name = models.CharField(max_length=200)
    first_day = models.DateField()
    last_day = models.DateField()
    rows = models.PositiveIntegerField()  # canonical rows written
    replaced = models.PositiveIntegerField()  # rows of earlier imports these days replaced
    changed_days = models.PositiveIntegerField(default=0)  # days whose figures differ
    totals = models.JSONField(default=dict)  # measure → [before, after] over the file's days
    notes = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source} {self.first_day}..{self.last_day} ({self.rows} rows)"


class ChannelDayQuerySet(WorkspaceQuerySet["ChannelDay"]):
    pass


class ChannelDay(WorkspaceOwned):
    day = models.DateField()
    source = models.CharField(max_length=12, choices=SOURCE_CHOICES)
    channel = models.CharField(max_length=60)  # a key: paid_search, email, unassigned
    campaign = models.CharField(max_length=200, blank=True, default="")
    ad_set = models.CharField(max_length=200, blank=True, default="")
    utm_source = models.CharField(max_length=200, blank=True, default="")
    utm_medium = models.CharField(max_length=200, blank=True, default="")
    currency = models.CharField(max_length=3, blank=True, default="")
    spend = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    impressions = models.BigIntegerField(null=True)
    clicks = models.BigIntegerField(null=True)
    sessions = models.BigIntegerField(null=True)
    conversions = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    revenue = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    new_customers = models.IntegerField(null=True)
    data_import = models.ForeignKey(DataImport, on_delete=models.CASCADE, related_name="+")

    objects = ChannelDayQuerySet.as_manager()

    class Meta:
        ordering = ["day", "source", "channel", "campaign", "ad_set"]
        indexes = [
            models.Index(fields=["workspace", "source", "day"], name="channelday_source_day"),
            models.Index(fields=["workspace", "day"], name="channelday_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.source} {self.channel} {self.campaign}"


class CurrencyRate(WorkspaceOwned):
    """How much one unit of ``currency`` is worth in the workspace's currency."""

    currency = models.CharField(max_length=3)
    rate = models.DecimalField(max_digits=18, decimal_places=8)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["currency"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "currency"], name="currency_rate_unique")
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate}"


class Grouping(models.Model):
    """The workspace's channel grouping: rules tried in order, or the default when empty."""

    workspace = models.OneToOneField(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    rules = models.JSONField(default=list)  # [{"channel", "source", "medium"}] (regexes)
    stages = models.JSONField(default=dict)  # channel key → hourglass stage, for ROI by stage
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"channel grouping of {self.workspace_id}"


class MappingPreset(WorkspaceOwned):
    """A saved column mapping for a CSV no reader recognises: used again by itself for the next
    file whose header has every column it maps."""

    name = models.CharField(max_length=60)
    mapping = models.JSONField()  # canonical field → the file's column header
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="mapping_preset_unique")
        ]

    def __str__(self) -> str:
        return self.name


CONNECTOR_SOURCES = {"ga4": "Google Analytics 4", "meta_ads": "Meta Ads"}


class Connection(WorkspaceOwned):
    """An account Leanmark pulls from every day through the platform's API
    (channeldata/connectors). One per source and workspace: a pull replaces its source's days,
    so two accounts of one source would replace each other's rows.

    ``secret`` is the credential (a GA4 service account's JSON key, a Meta access token)
    encrypted with a key derived from SECRET_KEY (channeldata/vault.py); nothing ever shows it
    again, only when it was saved."""

    source = models.CharField(max_length=12, choices=list(CONNECTOR_SOURCES.items()))
    name = models.CharField(max_length=120)
    account = models.CharField(max_length=40)  # GA4 property id, Meta ad account id (digits)
    secret = models.TextField()  # Fernet token of the credential
    secret_saved_at = models.DateTimeField()
    last_pulled_at = models.DateTimeField(null=True)  # the last pull that imported
    last_tried_at = models.DateTimeField(null=True)
    next_pull_at = models.DateTimeField(null=True)
    last_error = models.TextField(blank=True, default="")
    last_import = models.ForeignKey(
        DataImport, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["source", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "source"], name="connection_one_per_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.account} ({self.name})"
