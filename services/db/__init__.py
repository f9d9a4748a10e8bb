"""The database layer: engine, transactions, tables, bulk statements and migrations."""
