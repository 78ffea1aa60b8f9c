"""A replica of the legacy www.akershus.no site and its server: the default target and test bed."""
