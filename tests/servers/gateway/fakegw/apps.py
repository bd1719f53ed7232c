from django.apps import AppConfig


class FakeGatewayConfig(AppConfig):
    name = "fakegw"
    default_auto_field = "django.db.models.BigAutoField"
