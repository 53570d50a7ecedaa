"""Plain data of the demo catalog (青山市): where each department receives applicants, the guides
of the featured items, and a table of further items with lighter guides. `demo.catalog` turns it
into catalog items, claims and published guides through the catalog services."""
