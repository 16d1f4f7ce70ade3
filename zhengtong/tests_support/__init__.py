"""The one test-helper layer: valid codes (``codes``), factory_boy factories for the shared nouns
and the common records (``factories``), the small world every role is tested against (``world``,
the ``world`` fixture of the root conftest), and a JSON client for /api/ (``api``).

Tests and the benchmarks (``bench/``) use it; product code never imports it (the import contract,
``tests_architecture``, fails the build if it does)."""
