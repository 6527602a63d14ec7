from django.http import Http404


def member_import(request):
    raise Http404


def member_import_sample(request):
    raise Http404


def member_import_preview(request, pk):
    raise Http404


def member_import_apply(request, pk):
    raise Http404
