"""One application's life, without Qt: documents, merged fields, edits, saving, submitting."""
