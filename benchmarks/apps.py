from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """Benchmark tooling: a seeded synthetic portfolio to measure the pages against. No models.

    Not installed in production: ``cpec_tracker.settings_benchmark`` (and the test settings) add it.
    """

    name = "benchmarks"
    verbose_name = "Benchmarks"
