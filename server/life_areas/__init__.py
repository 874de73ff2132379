"""Life-area mapping (kartlegging av livsområder)."""
