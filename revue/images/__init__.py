"""The image proxy: outlets' images served from Revue's own address, ``/img/<signed id>[/<width>]``.

Fetched once through the guarded fetcher, checked to be real JPEG/PNG/GIF/WebP bytes, cached
on disk, resized to a few widths; a blocked image is refused at once. Nothing imports this app
but ``revue.urls`` (the portal builds the same signed addresses from the shared salt setting).
"""
