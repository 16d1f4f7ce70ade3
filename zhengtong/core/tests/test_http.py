import pytest
from django.test import RequestFactory

from zhengtong.core.http import client_address

rf = RequestFactory()


def _address(forwarded: str | None, remote: str = "10.0.0.2") -> str:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(rf.get("/", **meta))


def test_without_a_trusted_proxy_the_address_is_remote_addr(settings):
    settings.TRUSTED_PROXIES = 0
    assert _address(None) == "10.0.0.2"
    assert _address("198.51.100.7") == "10.0.0.2"


@pytest.mark.parametrize(("proxies", "forwarded", "expected"), [
    (1, "198.51.100.7", "198.51.100.7"),
    (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the client wrote 6.6.6.6
    (2, "6.6.6.6, 198.51.100.7, 10.0.0.9", "198.51.100.7"),  # a load balancer, then nginx
    (1, " 2001:db8::1 ", "2001:db8::1"),
    (2, "198.51.100.7", "10.0.0.2"),  # fewer entries than proxies: not through them
    (1, None, "10.0.0.2"),
    (1, "not-an-address", "10.0.0.2"),
    (1, "198.51.100.7, ", "10.0.0.2"),
])
def test_behind_trusted_proxies_the_address_is_the_one_the_outermost_proxy_saw(settings, proxies, forwarded,
                                                                                expected):
    settings.TRUSTED_PROXIES = proxies
    assert _address(forwarded) == expected
