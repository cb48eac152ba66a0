"""Pure text: analysis, the query language, highlighting and passages. Nothing here reads the
database; every layer above may use it."""
