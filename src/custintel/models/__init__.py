"""Customer models: segmentation, churn, credit risk, fraud, demand and sentiment.

Every estimator follows the scikit-learn contract and accepts any reasonable feature frame
(numeric and categorical columns), encoding categories inside the model.
"""

__all__: list[str] = []
