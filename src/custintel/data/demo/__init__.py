"""Embedded demo data: a realistic Chinese e-commerce logistics business with planted signal.

``make_demo_dataset`` is what the demo, the tests, the docs and the notebooks run on;
``generate_demo_frames`` returns the same tables as plain DataFrames without validation;
``DemoTruth`` documents the ground truth that comes with them.
"""

from custintel.data.demo._calendar import CATEGORIES, LUNAR_NEW_YEAR
from custintel.data.demo._generate import generate_demo_frames, make_demo_dataset
from custintel.data.demo._truth import DemoTruth

__all__ = [
    "CATEGORIES",
    "LUNAR_NEW_YEAR",
    "DemoTruth",
    "generate_demo_frames",
    "make_demo_dataset",
]
