"""The citizen's touchscreen screens (Kivy). Thin: they read the app's journey and call kiosk/.

Nothing here opens SQL or HTTP. Import `screens.launch` first: it sets Kivy's config before any
window exists.
"""
