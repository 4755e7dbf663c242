"""eligo: self-hosted platform for US health-benefit payments."""

__version__ = "0.1.0"
