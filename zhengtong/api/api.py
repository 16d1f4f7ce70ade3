"""One OpenAPI surface assembled from each app's router."""

from ninja import NinjaAPI

api = NinjaAPI(title="Zhengtong API", version="1", urls_namespace="api")
