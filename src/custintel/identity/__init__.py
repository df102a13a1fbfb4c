"""Identity layer: one key per person, and no raw personal data past this point.

- :func:`normalize_phones`: E.164, validity, carrier, virtual-operator flag, issuing province.
- :func:`parse_addresses`: province, city, district and city tier of Chinese addresses.
- :func:`resolve_customers` / :func:`apply_resolution`: link the records of one person across
  source systems and rewrite every table to the canonical ``customer_id``.
- :class:`Pseudonymizer`: keyed HMAC-SHA256 pseudonyms (secret in ``CUSTINTEL_PII_KEY``).
- :func:`mask_phone`, :func:`mask_name`, :func:`mask_address`: display forms for reviewers.
- :func:`assert_no_pii`: the policy every feature frame passes (raises :class:`PIIError`);
  :func:`scrub_text` masks phone numbers, id numbers and e-mails typed into free text.
- :func:`erase_customer`: remove a person from stored snapshots.

>>> from custintel.identity import mask_phone, parse_addresses
>>> mask_phone("+86 138 1234 5678")
'138****5678'
>>> parse_addresses(["粤深圳南山区科技园"]).loc[0, "city"]
'深圳市'
"""

from custintel.identity.addresses import parse_addresses
from custintel.identity.erasure import ErasureReport, erase_customer
from custintel.identity.linkage import resolve_customers
from custintel.identity.masking import mask_address, mask_name, mask_phone
from custintel.identity.phones import normalize_phones
from custintel.identity.policy import PIIError, assert_no_pii, scrub_text
from custintel.identity.pseudonyms import MissingKeyError, Pseudonymizer, pseudonymize
from custintel.identity.resolution import IdentityResolution, apply_resolution

__all__ = [
    "ErasureReport",
    "IdentityResolution",
    "MissingKeyError",
    "PIIError",
    "Pseudonymizer",
    "apply_resolution",
    "assert_no_pii",
    "erase_customer",
    "mask_address",
    "mask_name",
    "mask_phone",
    "normalize_phones",
    "parse_addresses",
    "pseudonymize",
    "resolve_customers",
    "scrub_text",
]
