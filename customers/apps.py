from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customers and sales log")

    def ready(self):
        from customers import views
        from customers.extensions import SalesLog
        from reports import extensions
        from teams import filters

        extensions.sales_log.value = SalesLog()
        filters.register_list("customers", views.CUSTOMER_LIST)
        filters.register_list("activities", views.ACTIVITY_LIST)
