"""``DemoTruth``: the hidden quantities behind the demo tables, for checking models against."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class DemoTruth:
    """Ground truth of a demo dataset: the latent traits and labels that generated the tables.

    Every frame is keyed by the ids used in the tables, so it joins back to them. Nothing here is
    visible in the tables themselves; models have to recover it.

    Attributes
    ----------
    customers : pandas.DataFrame
        One row per ``customers`` row, same order.

        - ``customer_id``: the account.
        - ``person_id``: the person behind the account; two accounts of one person share it.
        - ``is_duplicate``: this account is a person's second record (see ``duplicates``).
        - ``customer_type``: ``B`` (business) or ``C`` (consumer).
        - ``city_tier``: tier of the main address's city, 1 (一线) to 5 (四线及以下).
        - ``value``: latent customer value (standard normal); raises order rate and basket size.
        - ``engagement``: latent engagement (standard normal); raises order rate, lowers churn.
        - ``credit_risk``: latent credit risk (about standard normal, higher = riskier); drives
          late payment and default of invoices.
        - ``order_rate``: expected orders per average year while active.
        - ``churn_hazard``: baseline churn hazard per year (before bad deliveries).
        - ``churn_sensitivity``: multiplier of the hazard added by each bad delivery.
        - ``cod_propensity``: chance of choosing pay-after-delivery for an ordinary order.
        - ``credit_account``: business account billed by monthly statement.
        - ``churned_at``: when the person stopped ordering (NaT: active at the end, or a fraud
          account, which is abandoned after its burst instead).
        - ``churn_cause``: ``baseline`` or ``bad_delivery`` (which risk fired first), NaN if no
          churn before the end.
        - ``is_fraud``: the account belongs to a fraud ring.
        - ``ring_id``: the ring (``-1`` for legitimate accounts).
    duplicates : pandas.DataFrame
        One row per second-system record.

        - ``customer_id``: the original (main-system) account.
        - ``duplicate_id``: the second account of the same person.
        - ``person_id``: the person.
        - ``name_changed``: the name has a homophone or look-alike character swapped.
        - ``phone_style``: how the phone is written (``plain``, ``+86 space``, ``+86``,
          ``0086 dash``, ``spaces``, ``dashes``, ``0086 space``).
        - ``province_style``: province in the address (``full``, ``short``, ``abbreviation``,
          ``missing``).
        - ``building_changed``: the building part uses another format (5栋2单元301室 / 5-2-301).
        - ``email_mode``: ``same``, ``other`` or ``missing`` e-mail.
        - ``id_number_kept``: the id number was copied (else missing).
    orders : pandas.DataFrame
        One row per ``orders`` row, same order.

        - ``order_id``: the order.
        - ``experience``: the delivery as the customer lived it: ``on_time``, ``delayed``
          (delivered after ``promised_at``), ``damaged``, ``lost``, or ``cancelled``. Judged on
          the full plan, so a parcel still in transit at the end can already be ``delayed``.
        - ``bad_experience``: delayed, damaged or lost (these raise the churn hazard).
        - ``recipient``: ``self``, ``office``, ``family`` or ``ring`` (a fraud drop point).
        - ``is_fraud``: placed by a fraud-ring account.
    reviews : pandas.DataFrame
        One row per ``reviews`` row, same order.

        - ``review_id``: the text.
        - ``source``: ``review``, ``ticket`` or ``call``.
        - ``experience``: the order's experience class (``on_time``, ``delayed``, ``damaged``,
          ``lost``, ``refund`` for refused or returned orders).
        - ``polarity``: intended overall polarity (``negative``, ``neutral``, ``positive``).
        - ``aspect_1``, ``polarity_1``: the main clause's aspect (``speed``, ``damage``, ``lost``,
          ``courier``, ``service``, ``refund``, ``quality``) and polarity (= ``polarity``).
        - ``aspect_2``, ``polarity_2``: the second clause's, if any (NaN otherwise).
    invoices : pandas.DataFrame
        One row per ``invoices`` row, same order.

        - ``invoice_id``: the invoice.
        - ``outcome``: ``on_time``, ``late``, ``default`` (never paid) or ``open`` (would be paid
          after the end).
        - ``p_default``: the default probability it was drawn with.
    rings : pandas.DataFrame
        One row per fraud ring.

        - ``ring_id``, ``n_accounts``, ``city`` (where its drop points are), ``launched_at``,
          ``n_shared_phones``, ``n_drop_addresses``.
    params : dict
        The generating parameters (sizes, seed, window, shares and model constants).
    """

    customers: pd.DataFrame
    duplicates: pd.DataFrame
    orders: pd.DataFrame
    reviews: pd.DataFrame
    invoices: pd.DataFrame
    rings: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        sizes = ", ".join(
            f"{k}={len(getattr(self, k)):,}"
            for k in ("customers", "duplicates", "orders", "reviews", "invoices", "rings")
        )
        return f"DemoTruth({sizes})"
