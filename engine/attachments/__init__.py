"""Uploads: the checks a file passes before it is stored (``intake``) and the rule for who may
use it and how it is linked to cases (``links``)."""
