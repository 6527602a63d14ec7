from django.http import Http404


def kpi_list(request):  # TODO(#3): being built
    raise Http404


def kpi_create(request):  # TODO(#3): being built
    raise Http404


def kpi_edit(request, pk):  # TODO(#3): being built
    raise Http404


def template_list(request):  # TODO(#3): being built
    raise Http404


def template_create(request):  # TODO(#3): being built
    raise Http404


def template_edit(request, pk):  # TODO(#3): being built
    raise Http404


def team_settings(request, pk):  # TODO(#3): being built
    raise Http404


def targets(request, pk):  # TODO(#3): being built
    raise Http404


def targets_copy(request, pk):  # TODO(#3): being built
    raise Http404
