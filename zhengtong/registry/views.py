from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def unit_list(request):
    return HttpResponse("units")


unit_import = site_list = person_list = department_list = unit_list
