"""Realistic French municipal sample mail, rendered and degraded like real scans."""
