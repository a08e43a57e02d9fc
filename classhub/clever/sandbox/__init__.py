"""Clever sandbox: a local, dependency-free stand-in for Clever's OAuth host and v3.0 API."""

from .cli import run_from_args, serve
from .dataset import DatasetError, SandboxDataset, load_folder
from .demo import DEMO_DISTRICTS, demo_districts, generate_demo, generate_district
from .server import SandboxServer

__all__ = [
    "SandboxDataset",
    "DatasetError",
    "load_folder",
    "generate_demo",
    "generate_district",
    "DEMO_DISTRICTS",
    "demo_districts",
    "SandboxServer",
    "serve",
    "run_from_args",
]
