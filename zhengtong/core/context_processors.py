from zhengtong.core import demo_clock


def demo_notice(request):
    """``demo_notice``: the demo's "dates shifted" sentence, or "". A callable, so that only a page that
    shows it (base.html's footer) reads it: partials rendered for htmx never do."""
    return {"demo_notice": demo_clock.notice}
