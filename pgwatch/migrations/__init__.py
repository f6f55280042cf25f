"""The Mile Quest migrations of pgwatch and the runner that applies them."""
