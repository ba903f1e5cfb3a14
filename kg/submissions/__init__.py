"""Reports from the public (new incidents, corrections to a page): checked, stored durably, reviewed by editors,
and turned into data in a named graph of their own once accepted."""
