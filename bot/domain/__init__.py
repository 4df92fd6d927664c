"""The domain: plain data and rules of the co-op, importing nothing but the standard library."""
