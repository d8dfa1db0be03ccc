"""regmetrics: headline figures from Chinese market-regulation reports."""

__version__ = "0.1.0"
