"""Pure rules of the card and of matching: ID number, names, validity, kinds of application, MRZ,
QR payload.

No Django import anywhere in this package (DESIGN.md); it imports and tests on its own.
"""
