"""maturity: self-hosted data maturity workshops, surveys and governance actions."""

__version__ = "0.1.0"
