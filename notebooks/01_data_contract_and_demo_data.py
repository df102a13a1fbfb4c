# %% [markdown]
# # custintel walkthrough 1: the data contract and the demo data
#
# Open as a notebook with jupytext (`jupytext --to notebook`), or run as a script:
# `python notebooks/01_data_contract_and_demo_data.py`. It only imports custintel.

# %%
import os

import pandas as pd

from custintel.data import Dataset, SchemaError, make_demo_dataset
from custintel.data.profile import profile_dataset

N_CUSTOMERS = int(os.environ.get("CUSTINTEL_NOTEBOOK_CUSTOMERS", "5000"))

# %% [markdown]
# ## 1. Generate the demo business
# Two years of a fake Chinese e-commerce logistics business, deterministic for the seed.

# %%
ds = make_demo_dataset(n_customers=N_CUSTOMERS, seed=0)
print(ds)
print(ds.summary()[["rows", "first", "last"]])

# %% [markdown]
# ## 2. The calendar is in the data: 618, Double-11 and the Spring Festival dip

# %%
daily = ds.orders.set_index("ordered_at").resample("D")["order_id"].count()
median = daily.median()
days = {"618": "2024-06-18", "Double-11": "2024-11-11", "Spring Festival": "2024-02-10"}
for label, day in days.items():
    n = daily.loc[day]
    print(f"{label:16s} {n:6d} orders  ({n / median:.1f}x the median day)")

# %% [markdown]
# ## 3. Carriers differ, and customers feel it

# %%
print(profile_dataset(ds)["logistics"].round(3).to_string(index=False))

# %% [markdown]
# ## 4. Bad input is caught with a message that says what to do

# %%
orders = ds.orders.astype({"payment_method": "string"})
orders.loc[orders.index[:3], "payment_method"] = "COD"
try:
    Dataset.from_frames(customers=ds.customers, orders=orders)
except SchemaError as err:
    print(err)
    problems = pd.DataFrame([vars(p) for p in err.problems])
problems[["table", "column", "rule", "n_rows"]]
