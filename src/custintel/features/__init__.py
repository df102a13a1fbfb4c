"""Point-in-time features and labels.

Every builder takes an ``as_of`` cutoff and sees only events strictly before it; labels look
only at the window after it. Feature frames are indexed by ``customer_id`` (the canonical key
after identity resolution) and never contain raw personal data.

>>> from custintel.data import make_demo_dataset
>>> from custintel.features import build_customer_features, churn_labels
>>> ds = make_demo_dataset(n_customers=300, seed=0)
>>> X = build_customer_features(ds, as_of="2024-07-01")
>>> y = churn_labels(ds, as_of="2024-07-01", horizon_days=90)
>>> bool(y.index.isin(X.index).all())
True
"""

from custintel.features._base import FeatureBuilder, FeatureContext, FeatureSpec
from custintel.features.behaviour import OrderMixFeatures
from custintel.features.build import build_customer_features, default_builders, feature_catalog
from custintel.features.credit import CreditFeatures
from custintel.features.demand import demand_series
from custintel.features.fraud import FraudSignalFeatures
from custintel.features.labels import churn_labels, default_labels, fraud_targets
from custintel.features.logistics import DeliveryFeatures, ExceptionFeatures
from custintel.features.orders import build_order_features, order_feature_catalog
from custintel.features.rfm import RFMFeatures
from custintel.features.snapshots import build_training_frame, rolling_cutoffs, time_split
from custintel.features.static import CustomerStaticFeatures
from custintel.features.voice import TextScorer, VoiceFeatures

__all__ = [
    "CreditFeatures",
    "CustomerStaticFeatures",
    "DeliveryFeatures",
    "ExceptionFeatures",
    "FeatureBuilder",
    "FeatureContext",
    "FeatureSpec",
    "FraudSignalFeatures",
    "OrderMixFeatures",
    "RFMFeatures",
    "TextScorer",
    "VoiceFeatures",
    "build_customer_features",
    "build_order_features",
    "build_training_frame",
    "churn_labels",
    "default_builders",
    "default_labels",
    "demand_series",
    "feature_catalog",
    "fraud_targets",
    "order_feature_catalog",
    "rolling_cutoffs",
    "time_split",
]
