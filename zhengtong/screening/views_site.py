"""Screening pages (views_site)."""

urlpatterns: list = []
