from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """Benchmark tooling: a seeded synthetic portfolio to measure the pages against. No models."""

    name = "benchmarks"
    verbose_name = "Benchmarks"
