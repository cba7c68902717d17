"""Pure logic of the RFT workflow's Lambda handlers (``handlers.py`` is the thin shell)."""
