"""The field kit's foundation: the keys, packets and receipts a kit and its district exchange
(docs/field-kit.md). A library, not a Django app: no models, no views, nothing stored.

- `keys`: Ed25519 and X25519 key pairs, fingerprints, one-time pairing codes;
- `envelope`: a body encrypted to the district (X25519, HKDF-SHA256, AES-256-GCM);
- `packets`: one finished intake, its manifest signed by the kit, sealed and opened;
- `receipts`: the district's signed answer for one packet;
- `errors`: every refusal of the above.
"""

verbose_name = "Field kit"
"""Its name in docs/errors.md, as an app's `AppConfig.verbose_name` names an app."""
