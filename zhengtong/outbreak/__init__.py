"""Outbreak: cases and their moves (suspected → confirmed or excluded; confirmed → recovered or
died), each with who, when and why. Isolation orders, contact tracing from the gate's entries and
the chains of transmission build on these (issue 18)."""
