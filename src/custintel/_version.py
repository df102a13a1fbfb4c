"""Version of the custintel package."""

__version__ = "0.1.0"
