"""The client behaviour both front ends share, written once (see ``core``)."""
