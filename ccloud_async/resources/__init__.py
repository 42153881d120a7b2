"""The namespaces of the client (``cloud.clusters``, ...).

Their operations are generated into :mod:`ccloud_async._generated.resources`; a module
here extends one with what the API does not do in one call (waiters, the audit-log
stream). ``_base`` holds what every namespace shares.
"""
