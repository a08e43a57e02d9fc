"""Device setups and sign-in readiness arrive with the device readiness issue; nothing is stored yet."""
