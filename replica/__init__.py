"""A replica of the legacy www.akershus.no site and its server: the default target and test bed.

``replica.site.render_response`` gives the exact bytes for a request,
``replica.inventory.all_urls`` the URL inventory, ``replica.server.ReplicaServer``
serves it on 127.0.0.1.
"""
