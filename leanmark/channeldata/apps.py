from django.apps import AppConfig


class ChannelDataConfig(AppConfig):
    name = "leanmark.channeldata"
    label = "channeldata"
    verbose_name = "Marketing data"
