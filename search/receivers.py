"""Keep the index current: the lower apps' signals, answered by search.services."""

from search import services


def report_written(sender, *, report, **kwargs) -> None:
    services.index_report(report=report)


def feedback_given(sender, *, feedback, **kwargs) -> None:
    services.index_feedback(feedback=feedback)


def comment_written(sender, *, comment, **kwargs) -> None:
    services.index_comment(comment=comment)


def reports_loaded(sender, **kwargs) -> None:
    services.rebuild()
