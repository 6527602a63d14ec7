from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PipelineConfig(AppConfig):
    name = "pipeline"
    verbose_name = _("Pipeline")

    def ready(self) -> None:
        # Lower apps offer hooks; the pipeline fills them (layers run one way).
        from customers import activity_extensions
        from pipeline import hooks
        from reports import sections

        activity_extensions.register(hooks.StageMove())
        sections.register(hooks.PipelineSection())
