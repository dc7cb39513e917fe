from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (
            _("Language and time zone"),
            {"fields": ("language", "time_zone", "time_zone_from_browser")},
        ),
        # A candidate's account (video interviews) is never staff: the database refuses it.
        (_("Kind of account"), {"fields": ("kind",)}),
    )
    list_display = (*DjangoUserAdmin.list_display, "kind")
    list_filter = (*DjangoUserAdmin.list_filter, "kind")
