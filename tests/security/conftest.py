# The access matrix's objects (one of each kind, in `team`) and cast, for the data-driven suites.
from tests.migration_data import migration_data  # noqa: F401
from tests.test_access_matrix import cast, objects  # noqa: F401
