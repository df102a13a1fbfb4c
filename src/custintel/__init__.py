"""custintel: customer intelligence for e-commerce logistics, postal and fresh-food delivery.

The package is organised along the data flow: ``custintel.data`` (schemas, validation, loading,
demo data) feeds the identity, feature, model, evaluation, pipeline and serving layers. Import the
layer you need, for example ``from custintel.data import make_demo_dataset``.
"""

from custintel._version import __version__

__all__ = ["__version__"]
