"""The home page and the navigation: they read every domain app through its selectors and
write nothing, so that no domain app and not ``accounts`` needs to know the others."""
