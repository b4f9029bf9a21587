"""omsdesktop: a child's birth certificate and OMS policy to a checked portal application."""

__version__ = "0.1.0"
