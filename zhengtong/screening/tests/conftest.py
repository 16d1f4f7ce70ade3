import pytest

from zhengtong.screening.models import GateDevice


@pytest.fixture
def device(world):
    """A gate device of world.site_a, with its key at ``device.key``."""
    device, key = GateDevice.issue(site=world.site_a, name="North gate")
    device.key = key
    return device
