"""Field extraction: the fields of DOMAIN.md, in their normal forms, with page, box and confidence."""
