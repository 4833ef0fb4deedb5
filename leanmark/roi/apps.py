from django.apps import AppConfig


class RoiConfig(AppConfig):
    name = "leanmark.roi"
    label = "roi"

    def ready(self) -> None:
        """Pages write money in the workspace's currency, which is an ROI setting."""
        from leanmark.lib import formats
        from leanmark.roi.queries import currency_of

        formats.look_up_currency_with(currency_of)
