"""The kit's data at rest: its database and its stored files, encrypted under a key derived from
the team leader's passphrase (docs/field-kit.md#at-rest-the-kits-data-folder).

A kit is a laptop that spends nights in a school hall: it can be stolen with everything on it.
What it holds (people's names, ID numbers, photos, fingerprints) is therefore unreadable without
the passphrase, which is given at start and never kept in the data folder.

- `keys`: the passphrase read from the environment, the key derived from it (scrypt, then HKDF),
  the salt and a verifier kept in `<data folder>/kit-at-rest.json`;
- `sqlcipher`: a Django database backend, SQLite encrypted by SQLCipher;
- `storage`: a file storage that encrypts every file (AES-256-GCM).
"""
