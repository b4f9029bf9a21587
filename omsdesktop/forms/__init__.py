"""Document schemas, field extraction and validation. Never imports Qt."""
