"""hourglass-admin: operate Hourglass queues over the PinLater Thrift API (see scripts/README.md)."""
