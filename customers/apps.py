from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customers and sales log")

    def ready(self):
        from customers.extensions import SalesLog
        from reports import extensions

        extensions.sales_log.value = SalesLog()
