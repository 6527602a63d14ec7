"""`python manage.py rebuild_search_index`: index every report, feedback and comment afresh (after
a restore, a bulk load or a change to how text is indexed)."""

import time

from django.core.management.base import BaseCommand

from search import services


class Command(BaseCommand):
    help = "Rebuild the search index from every report, feedback and comment."

    def handle(self, *args, **options):
        started = time.perf_counter()
        count = services.rebuild()
        self.stdout.write(self.style.SUCCESS(f"Indexed {count:,} texts in {time.perf_counter() - started:.1f} s."))
