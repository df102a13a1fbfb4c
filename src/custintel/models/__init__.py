"""Customer models: segmentation, churn, credit risk, fraud, demand and sentiment.

Every estimator follows the scikit-learn contract (``__init__`` stores parameters, ``fit``
returns ``self``, learned state ends in ``_``, ``clone`` and ``get_params`` work) and accepts any
reasonable feature frame: numeric, boolean and categorical columns (``category``, ``object`` or
``string``), encoded inside the model so no pandas ``category`` dtype is needed at predict time.
Tree models explain each prediction with reason codes in Chinese and English.

>>> from custintel.data import make_demo_dataset
>>> from custintel.features import build_customer_features, churn_labels
>>> from custintel.models import ChurnModel
>>> ds = make_demo_dataset(n_customers=600, seed=0)
>>> X = build_customer_features(ds, as_of="2024-07-01")
>>> y = churn_labels(ds, as_of="2024-07-01", horizon_days=90)  # customers with a history
>>> X = X.loc[y.index]
>>> model = ChurnModel(n_estimators=50, random_state=0).fit(X, y)
>>> reasons = model.explain(X.head(2), top_k=3)
>>> sorted(reasons.columns)
['contribution', 'en', 'feature', 'rank', 'value', 'zh']
"""

from custintel.models._demand_data import check_series
from custintel.models.churn import ChurnModel
from custintel.models.credit import CREDIT_MONOTONE, CreditRiskModel
from custintel.models.demand import DemandForecaster
from custintel.models.fraud import FLAG_RULES, RISK_DIRECTIONS, FraudScorer
from custintel.models.reconcile import aggregate_series, reconcile
from custintel.models.rfm_tiers import TIERS, rfm_tiers
from custintel.models.segmentation import CustomerSegmenter
from custintel.models.sentiment import SentimentClassifier

__all__ = [
    "CREDIT_MONOTONE",
    "FLAG_RULES",
    "RISK_DIRECTIONS",
    "TIERS",
    "ChurnModel",
    "CreditRiskModel",
    "CustomerSegmenter",
    "DemandForecaster",
    "FraudScorer",
    "SentimentClassifier",
    "aggregate_series",
    "check_series",
    "reconcile",
    "rfm_tiers",
]
