"""The devices on the desk: MOSIP's Secure Biometric Interface (client, shapes) and its simulator.

docs/devices.md says why this standard and how far we follow it.
"""
