"""Archiving leaf: PAdES signing and validation, a test PKI, fixity, retention dates, SEDA 2.2 messages,
elimination documents. Like the other leaves it never imports the core: paths, bytes and frozen
dataclasses in, results out.
"""
