from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html")


@login_required
def request_new(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html")
