"""Pure rules of the card and of matching: ID number, names, validity, kinds of application, MRZ,
QR payload.

No Django import anywhere in this package (docs/design.md#pure-core); it imports and tests on its
own.
"""
