"""The baseline of the gate benchmark (bench/gate_api.py): a bare Django endpoint that only
inserts the same entry row, with no authentication and no rules. Served only when
ZT_BENCH_ENDPOINTS=1; never in production."""

import json

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from zhengtong.screening.models import Entry


@csrf_exempt
@require_POST
def bare_insert(request):
    body = json.loads(request.body)
    entry = Entry.objects.create(
        client_uuid=body["client_uuid"], site_id=body["site_id"], person_id=body["person_id"],
        entered_at=body["at"], temperature=body["temperature"], decision="admit", reason="ok", source="api",
    )
    return JsonResponse({"entry_id": entry.pk}, status=201)
