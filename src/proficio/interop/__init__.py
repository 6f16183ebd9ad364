"""Interoperability with 1EdTech standards: CASE frameworks in and out, CLR 2.0 records out.

Everything here reads the validated content model (and scored ``records``) and writes files that
validate against the official schemas vendored in ``interop/schemas/``; nothing is fetched.
"""
