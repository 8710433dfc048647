"""PAdES signing, SEDA 2.2 messages, fixity and retention (issue 6). A leaf: no core imports."""
