"""The offline archive: Jinja templates, static assets, site builder."""
