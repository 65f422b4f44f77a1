"""The publishing domain and the infrastructure every API shares. Knows no wire format."""
