"""Screening pages (views_gate)."""

urlpatterns: list = []
