from django.http import Http404


def this_week(request):  # TODO(#3): being built
    raise Http404


def edit(request, pk):  # TODO(#3): being built
    raise Http404


def autosave(request, pk):  # TODO(#3): being built
    raise Http404


def submit(request, pk):  # TODO(#3): being built
    raise Http404


def conflict(request, pk, conflict_pk):  # TODO(#3): being built
    raise Http404


def conflict_keep_mine(request, pk, conflict_pk):  # TODO(#3): being built
    raise Http404


def attachment_upload(request, pk):  # TODO(#3): being built
    raise Http404


def attachment_download(request, pk):  # TODO(#3): being built
    raise Http404


def attachment_delete(request, pk):  # TODO(#3): being built
    raise Http404
